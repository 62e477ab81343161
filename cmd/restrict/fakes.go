package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/cryptomus"
	"github.com/restrictkit/restrict/cryptomus/cryptomustest"
	"github.com/restrictkit/restrict/customerv2"
	"github.com/restrictkit/restrict/customerv2/customerv2test"
	"github.com/restrictkit/restrict/internal/fleet"
	"github.com/restrictkit/restrict/kpayment"
	"github.com/restrictkit/restrict/kpayment/kpaymenttest"
	"github.com/restrictkit/restrict/purse"
	"github.com/restrictkit/restrict/purse/pursetest"
	"github.com/restrictkit/restrict/walletplatform"
	"github.com/restrictkit/restrict/walletplatform/walletplatformtest"
)

// fake is one provider's fake as the fakes command serves it.
type fake struct {
	name    string
	handler http.Handler
	base    string       // the fake's own BaseURL, for its base path
	vars    fleet.Values // the settings a client needs, but BASE_URL
	seed    func(i int) string
	close   func()
}

// startFakes starts the five fakes with fresh random credentials.
func startFakes() []*fake {
	cred := func(prefix string) string { return prefix + "-" + randomHex(12) }

	cc := cryptomus.Credentials{MerchantID: randomUUID(), PaymentKey: restrict.Secret(cred("cryptomus-key"))}
	cs := cryptomustest.NewServer(cc)

	kc := customerv2.Credentials{APIKey: restrict.Secret(cred("kunacore-key"))}
	ks := customerv2test.NewServer(kc)

	mc := kpayment.Credentials{Username: cred("subscriber"), Password: restrict.Secret(cred("kpayment-password"))}
	ms := kpaymenttest.NewServer(mc)

	pc := purse.Credentials{Account: "0x" + randomHex(20), Key: restrict.Secret(cred("purse-key")), Secret: restrict.Secret(cred("purse-secret"))}
	ps := pursetest.NewServer(pc)

	wc := walletplatform.Credentials{APIKey: restrict.Secret(cred("sabi-key")), Username: cred("ops") + "@example.com", PassID: restrict.Secret(cred("pass"))}
	ws := walletplatformtest.NewServer(wc)

	return []*fake{
		{name: cryptomus.Provider, handler: cs.Handler(), base: cs.BaseURL(), close: cs.Close,
			vars: fleet.Values{"MERCHANT_ID": cc.MerchantID, "PAYMENT_KEY": string(cc.PaymentKey)},
			seed: func(i int) string { return cs.AddWallet(cryptomustest.Wallet{OrderID: fmt.Sprintf("seed-%d", i)}).UUID }},
		{name: customerv2.Provider, handler: ks.Handler(), base: ks.BaseURL(), close: ks.Close,
			vars: fleet.Values{"API_KEY": string(kc.APIKey)},
			seed: func(i int) string {
				return ks.AddCustomer(customerv2.Customer{Email: fmt.Sprintf("subject-%d@example.com", i), FirstName: "Subject", LastName: strconv.Itoa(i), Country: "UA"}).ID
			}},
		{name: kpayment.Provider, handler: ms.Handler(), base: ms.BaseURL(), close: ms.Close,
			vars: fleet.Values{"USERNAME": mc.Username, "PASSWORD": string(mc.Password)},
			seed: func(int) string { return ms.AddCustomer(kpaymenttest.Customer{}).UUID }},
		{name: purse.Provider, handler: ps.Handler(), base: ps.BaseURL(), close: ps.Close,
			vars: fleet.Values{"ACCOUNT": pc.Account, "KEY": string(pc.Key), "SECRET": string(pc.Secret)},
			seed: func(i int) string {
				return ps.AddCustomer(purse.Customer{Email: fmt.Sprintf("subject-%d@example.com", i), ExternalID: fmt.Sprintf("subject-%d", i)}).ID
			}},
		{name: walletplatform.Provider, handler: ws.Handler(), base: ws.BaseURL(), close: ws.Close,
			vars: fleet.Values{"API_KEY": string(wc.APIKey), "USERNAME": wc.Username, "PASS_ID": string(wc.PassID)},
			seed: func(int) string { id := randomUUID(); ws.AddAccount(id); return id }},
	}
}

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
trying the tool, and for your own integration tests.`,
		Example: `  restrict fakes --seed 1000 --subjects subjects.csv > fakes.env &
  restrict run --action restrict --subjects subjects.csv --env-file fakes.env`,
		Args: cobra.NoArgs,
		RunE: a.runE(func(cmd *cobra.Command) error { return a.fakes(cmd.Context(), listen, seed, subjects) }),
	}
	cmd.Flags().StringVar(&listen, "listen", "127.0.0.1:0", "the loopback address to serve on; port 0 picks a free one")
	cmd.Flags().IntVar(&seed, "seed", 0, "create this many customers at every fake, and write them to --subjects")
	cmd.Flags().StringVar(&subjects, "subjects", "", "where --seed writes the subjects CSV")
	_ = cmd.MarkFlagFilename("subjects", "csv")
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
	fakes := startFakes()
	defer func() {
		for _, f := range fakes {
			f.close()
		}
	}()
	mux := http.NewServeMux()
	root := "http://" + ln.Addr().String()
	for _, f := range fakes {
		mux.Handle("/"+f.name+"/", http.StripPrefix("/"+f.name, f.handler))
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
		p, _ := fleet.Lookup(f.name)
		base, err := url.Parse(f.base)
		if err != nil {
			return err
		}
		vars := fleet.Values{"BASE_URL": root + "/" + f.name + base.Path}
		for k, v := range f.vars {
			vars[k] = v
		}
		if f.name == walletplatform.Provider {
			// The login lives at the host's root in SABI's docs; here
			// it is under the fake's path.
			vars["USERS_URL"] = root + "/" + f.name
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
func writeSeed(path string, n int, fakes []*fake) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*")
	if err != nil {
		return usagef("--subjects: %v", err)
	}
	defer os.Remove(tmp.Name())
	w := csv.NewWriter(tmp)
	header := []string{"subject"}
	for _, f := range fakes {
		header = append(header, f.name)
	}
	_ = w.Write(header)
	row := make([]string, len(header))
	width := len(strconv.Itoa(n))
	for i := 1; i <= n; i++ {
		row[0] = fmt.Sprintf("subject-%0*d", width, i)
		for j, f := range fakes {
			row[j+1] = f.seed(i)
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

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read does not fail on supported platforms
	return hex.EncodeToString(b)
}

func randomUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
