package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/restrictkit/restrict/bulk"
	"github.com/restrictkit/restrict/internal/console"
)

// consoleTokensVar holds the console's tokens: name:role:token, comma
// separated.
const consoleTokensVar = "RESTRICT_CONSOLE_TOKENS"

// shutdownWait bounds a graceful stop of the server: the answers in
// progress (a submission, a download) may finish within it.
const shutdownWait = 10 * time.Second

// serveOptions are restrict serve's flags.
type serveOptions struct {
	engine         engineFlags
	addr           string
	noWork         bool
	tokensFile     string
	tlsCert        string
	tlsKey         string
	insecureListen bool
}

func (a *app) serveCommand() *cobra.Command {
	var o serveOptions
	cmd := &cobra.Command{
		Use:   "serve [--db DSN] [--addr 127.0.0.1:8080]",
		Short: "Serve the web console, the HTTP API and the providers' webhooks",
		Long: `serve runs the web console (runs, live progress, outcomes, subjects, new
runs, printable audit reports, limits), the HTTP API under /api/v1 (its
OpenAPI document at /api/v1/openapi.json) and the providers' webhooks
(/webhooks/cryptomus, /webhooks/calypso), over the same database as the
other commands. It works the runs' jobs too, at every provider whose
RESTRICT_<PROVIDER>_* credentials are set, unless --no-work (then
"restrict worker" processes work them).

Everyone signs in. The tokens come from RESTRICT_CONSOLE_TOKENS
(name:role:token,name:role:token) or --tokens-file (one name:role:token a
line, readable by its owner only); a role is viewer (reads) or operator
(also submits runs and changes limits); a token has at least 32
characters (openssl rand -hex 32 makes one). The API takes a token as
"Authorization: Bearer <token>"; a browser signs in with it once and gets
a session cookie.

It listens on 127.0.0.1:8080 by default. An address beyond this machine
needs --tls-cert and --tls-key, or --insecure-listen (behind a proxy that
terminates TLS).

Webhooks are verified with the providers' keys: RESTRICT_CRYPTOMUS_PAYMENT_KEY
and RESTRICT_PURSE_WEBHOOK_KEY (Calypso's subscription key); a provider
without its key answers 404 there. On Postgres, River's own UI is served to
operators under /river.

SIGTERM or SIGINT stops it gracefully (exit 0): it takes no new request,
lets those in progress finish (up to 10s), and stops its workers as
"restrict worker" does. /healthz, /readyz (the database answers) and
/metrics (Prometheus text, with a bearer token) are served beside the
console.`,
		Example: `  export RESTRICT_CONSOLE_TOKENS="ada:operator:$(openssl rand -hex 32)"
  restrict serve --env-file fakes.env
  restrict serve --db postgres://ops@db.internal/restrict --addr 10.0.0.5:8443 --tls-cert cert.pem --tls-key key.pem`,
		Args: cobra.NoArgs,
		RunE: a.runE(func(cmd *cobra.Command) error { return a.serve(cmd.Context(), o) }),
	}
	addDBFlag(cmd, &o.engine.db)
	f := cmd.Flags()
	f.StringArrayVar(&o.engine.limits.rate, "rate", nil, "a provider's limit in requests per second, retries included, for all workers together, PROVIDER=N (repeatable)")
	f.StringArrayVar(&o.engine.limits.concurrency, "concurrency", nil, "a provider's calls at once in this process, PROVIDER=N (repeatable)")
	f.DurationVar(&o.engine.jobTimeout, "job-timeout", time.Minute, "how long one attempt of a job may take, its rate-limit waits and HTTP retries included")
	f.DurationVar(&o.engine.rescueAfter, "rescue-after", 0, "how long a job of a crashed process stays taken before another takes it (default: job timeout + 30s)")
	f.StringVar(&o.addr, "addr", "127.0.0.1:8080", "the address to listen on, HOST:PORT")
	f.BoolVar(&o.noWork, "no-work", false, "serve only: leave the jobs to \"restrict worker\" processes")
	f.StringVar(&o.tokensFile, "tokens-file", "", "a file of name:role:token lines, readable by its owner only (besides "+consoleTokensVar+")")
	f.StringVar(&o.tlsCert, "tls-cert", "", "a PEM certificate (chain) to serve HTTPS with; needs --tls-key")
	f.StringVar(&o.tlsKey, "tls-key", "", "the PEM private key of --tls-cert")
	f.BoolVar(&o.insecureListen, "insecure-listen", false, "allow an address beyond this machine without TLS (behind a proxy that terminates it)")
	_ = cmd.MarkFlagFilename("tokens-file")
	_ = cmd.MarkFlagFilename("tls-cert", "pem", "crt")
	_ = cmd.MarkFlagFilename("tls-key", "pem", "key")
	return cmd
}

// tokens reads the console's tokens from the environment and the file;
// having none is a usage error, since nobody could sign in.
func (a *app) tokens(file string) ([]console.Token, error) {
	var all []console.Token
	if v := a.env(consoleTokensVar); strings.TrimSpace(v) != "" {
		t, err := console.ParseTokens(v, consoleTokensVar)
		if err != nil {
			return nil, usagef("%v", err)
		}
		all = append(all, t...)
	}
	if file != "" {
		t, err := console.ReadTokensFile(file)
		if err != nil {
			return nil, usagef("%v", err)
		}
		all = append(all, t...)
	}
	if len(all) == 0 {
		return nil, usagef("no console token: set %s=name:role:token (role viewer or operator, a token of at least 32 characters, e.g. from \"openssl rand -hex 32\") or give --tokens-file; nothing is served without one", consoleTokensVar)
	}
	return all, nil
}

// serve checks everything it can before it listens, then serves until
// ctx ends, and stops gracefully.
func (a *app) serve(ctx context.Context, o serveOptions) error {
	tokens, err := a.tokens(o.tokensFile)
	if err != nil {
		return err
	}
	if (o.tlsCert == "") != (o.tlsKey == "") {
		return usagef("--tls-cert and --tls-key go together")
	}
	var tlsConfig *tls.Config
	if o.tlsCert != "" {
		cert, err := tls.LoadX509KeyPair(o.tlsCert, o.tlsKey)
		if err != nil {
			return usagef("--tls-cert %s, --tls-key %s: %v", o.tlsCert, o.tlsKey, err)
		}
		tlsConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	if err := console.CheckListen(o.addr, tlsConfig != nil, o.insecureListen); err != nil {
		return usagef("%v", err)
	}
	limits, err := o.engine.limits.parse()
	if err != nil {
		return err
	}
	names := a.configured()
	clients, err := a.clients(names, func(name string) string { return name })
	if err != nil {
		return err
	}
	db := context.WithoutCancel(ctx)
	tel, err := a.startTelemetryFor(db, "", true)
	if err != nil {
		return err
	}
	// Deferred first, so that it runs last: the final outcomes are
	// flushed after the engine has stopped.
	defer tel.shutdown(a)
	e, dsn, err := o.engine.open(db, a, tel)
	if err != nil {
		return err
	}
	defer e.Close()
	working := !o.noWork && len(clients) > 0
	if working {
		if err := register(e, clients, limits); err != nil {
			return err
		}
	}
	river, closeRiver, err := a.riverUI(db, dsn)
	if err != nil {
		return err
	}
	defer closeRiver()
	srv, err := console.New(console.Config{
		Engine:    e,
		Providers: names,
		Tokens:    tokens,
		Webhooks:  console.FleetWebhooks(a.env),
		River:     river,
		Metrics:   tel.metrics,
		Ready:     e.Ping,
		Secure:    tlsConfig != nil,
		Logger:    a.logger,
	})
	if err != nil {
		// The tokens of the variable and the file together: a name or a
		// token in both.
		return usagef("%v", err)
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return usagef("--addr %s: %v", o.addr, errors.Unwrap(err))
	}
	if working {
		if err := e.Start(db); err != nil {
			closeListener(ln)
			return fmt.Errorf("starting the workers: %w", err)
		}
		a.noteLimits(db, e, limits)
	}
	hs := &http.Server{
		Handler:           srv,
		TLSConfig:         tlsConfig,
		ReadHeaderTimeout: 10 * time.Second,
		// A request's whole body, an upload of subjects included, within
		// this: a client that sends a byte a minute holds no connection.
		// No write timeout: a run's live progress lasts as long as the
		// run, and a report of a large run takes what it takes.
		ReadTimeout: 5 * time.Minute,
		IdleTimeout: 2 * time.Minute,
	}
	hs.RegisterOnShutdown(srv.EndStreams)
	scheme := "http"
	if tlsConfig != nil {
		scheme = "https"
	}
	served := make(chan error, 1)
	go func() {
		if tlsConfig != nil {
			served <- hs.ServeTLS(ln, "", "")
			return
		}
		served <- hs.Serve(ln)
	}()
	work := "working " + strings.Join(names, ", ")
	switch {
	case o.noWork:
		work = "not working jobs (--no-work)"
	case !working:
		work = "not working jobs: no provider is configured"
	}
	fmt.Fprintf(a.stderr, "restrict: serving the console on %s://%s (database %s; %s); Ctrl-C to stop\n",
		scheme, ln.Addr(), bulk.RedactDSN(dsn), work)
	a.logger.Info("serving", "addr", ln.Addr().String(), "tokens", len(tokens), "working", working)

	var serveErr error
	select {
	case serveErr = <-served:
	case <-ctx.Done():
		fmt.Fprintf(a.stderr, "restrict: stopping: finishing the requests in progress (up to %s)...\n", shutdownWait)
		stop, cancel := context.WithTimeout(db, shutdownWait)
		defer cancel()
		if err := hs.Shutdown(stop); err != nil {
			_ = hs.Close()
		}
		<-served
	}
	if working {
		stop, cancel := context.WithTimeout(db, stopWait)
		defer cancel()
		if err := e.Stop(stop); err != nil {
			a.logger.Warn("stopping the workers", "error", err)
		}
	}
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return fmt.Errorf("serving on %s: %w", o.addr, serveErr)
	}
	fmt.Fprintln(a.stderr, "restrict: stopped")
	return nil
}
