package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/restrictkit/restrict/internal/fleet"
)

func (a *app) fakesCommand() *cobra.Command {
	var listen, subjects string
	var seed int
	cmd := &cobra.Command{
		Use:   "fakes [--listen 127.0.0.1:0] [--seed N --subjects FILE]",
		Short: "Serve fakes of the five providers on loopback, to try restrict on",
		Long: `fakes serves a stateful fake of each of the five providers (the same fakes
the SDK's tests use) on one loopback address, each under its own path,
with fresh random credentials, and prints on stdout one
"export RESTRICT_<PROVIDER>_...=..." line per setting a client needs:
source it, or give it to the other commands with --env-file.

With --seed N it first creates N customers (wallets, accounts) at every
fake and writes a subjects CSV for them to --subjects. It serves until
SIGINT or SIGTERM, keeping its state for the life of the process: for
trying the tool, and for your own integration tests.

The exports include the keys that verify webhooks to restrict serve
(RESTRICT_CRYPTOMUS_PAYMENT_KEY, RESTRICT_PURSE_WEBHOOK_KEY): "restrict
fakes webhook" posts a signed one.`,
		Example: `  restrict fakes --seed 1000 --subjects subjects.csv > fakes.env &
  restrict run --action restrict --subjects subjects.csv --env-file fakes.env`,
		Args: cobra.NoArgs,
		RunE: a.runE(func(cmd *cobra.Command) error { return a.fakes(cmd.Context(), listen, seed, subjects) }),
	}
	cmd.Flags().StringVar(&listen, "listen", "127.0.0.1:0", "the loopback address to serve on; port 0 picks a free one")
	cmd.Flags().IntVar(&seed, "seed", 0, "create this many customers at every fake, and write them to --subjects")
	cmd.Flags().StringVar(&subjects, "subjects", "", "where --seed writes the subjects CSV")
	_ = cmd.MarkFlagFilename("subjects", "csv")
	cmd.AddCommand(a.fakeWebhookCommand())
	return cmd
}

func (a *app) fakes(ctx context.Context, listen string, seed int, subjects string) error {
	switch {
	case seed < 0:
		return usagef("--seed %d: want a number of customers, 0 or more", seed)
	case seed > 0 && subjects == "":
		return usagef("--seed needs --subjects FILE, where the seeded subjects are written")
	case seed == 0 && subjects != "":
		return usagef("--subjects is where --seed writes; give --seed N too")
	}
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return usagef("--listen %q: want host:port, for example 127.0.0.1:0", listen)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return usagef("--listen %q: the fakes serve on loopback only (127.0.0.1, ::1 or localhost)", listen)
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return usagef("--listen %q: %v", listen, err)
	}
	fakes := fleet.StartFakes()
	defer func() {
		for _, f := range fakes {
			f.Close()
		}
	}()
	mux := http.NewServeMux()
	root := "http://" + ln.Addr().String()
	for _, f := range fakes {
		name := f.Provider.Name
		mux.Handle("/"+name+"/", http.StripPrefix("/"+name, f.Server.Handler()))
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	defer func() {
		shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()

	if seed > 0 {
		if err := writeSeed(subjects, seed, fakes); err != nil {
			return err
		}
	}
	// The exports go out in one write, last: once they are there, the
	// subjects file is complete and every fake answers.
	var out bytes.Buffer
	fmt.Fprintf(&out, "# restrict fakes on %s: five fake providers; source this file, or pass it with --env-file\n", root)
	for _, f := range fakes {
		p := f.Provider
		vars, err := f.MountedValues(root + "/" + p.Name)
		if err != nil {
			return err
		}
		for _, vr := range p.Vars {
			if v, ok := vars[vr.Name]; ok {
				fmt.Fprintf(&out, "export %s=%s\n", p.Env(vr.Name), shellQuote(v))
			}
		}
	}
	if _, err := a.stdout.Write(out.Bytes()); err != nil {
		return err
	}
	if seed > 0 {
		fmt.Fprintf(a.stderr, "fakes: %d customers at each of the five fakes, written to %s\n", seed, subjects)
	}
	fmt.Fprintf(a.stderr, "fakes: serving on %s until interrupted\n", root)
	select {
	case <-ctx.Done():
		fmt.Fprintln(a.stderr, "fakes: stopping")
		return nil
	case err := <-serveErr:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	}
}

// writeSeed creates n customers at every fake and writes them as a
// subjects CSV, whole or not at all.
func writeSeed(path string, n int, fakes []*fleet.Fake) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*")
	if err != nil {
		return usagef("--subjects: %v", err)
	}
	defer os.Remove(tmp.Name())
	w := csv.NewWriter(tmp)
	header := []string{"subject"}
	for _, f := range fakes {
		header = append(header, f.Provider.Name)
	}
	_ = w.Write(header)
	row := make([]string, len(header))
	width := len(strconv.Itoa(n))
	for i := 1; i <= n; i++ {
		row[0] = fmt.Sprintf("subject-%0*d", width, i)
		for j, f := range fakes {
			row[j+1] = f.Seed(i)
		}
		_ = w.Write(row)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
