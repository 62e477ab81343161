// Command quickstart restricts one customer at all five providers with
// restrict.RestrictAll, prints what each provider did, then lifts the
// restriction with restrict.LiftAll where the provider allows it.
//
// With no environment variables it needs no account: it starts a fake of
// every provider on loopback (through internal/fleet, as restrict fakes
// does), gives each the customer, wallet or account it needs, and works
// against those.
//
//	go run ./examples/quickstart       # warnings only on stderr
//	go run ./examples/quickstart -v    # every HTTP attempt, at debug level
//
// # Real providers
//
// A provider whose block of variables is set is called for real instead of
// its fake. Setting any variable of a block selects the real API, and then
// every required one must be set: a typo must not fall back to the fake
// silently. For a real provider the quickstart restricts and lifts the given
// target only; it never creates anything. Blocking at Cryptomus and myKaarma
// and suspending at KunaCore cannot be undone through their APIs, so point
// TARGET at a test customer.
//
// Cryptomus (package cryptomus):
//
//	RESTRICT_CRYPTOMUS_MERCHANT_ID   merchant UUID (required)
//	RESTRICT_CRYPTOMUS_PAYMENT_KEY   payment API key (required)
//	RESTRICT_CRYPTOMUS_TARGET        static wallet UUID or order ID (required)
//	RESTRICT_CRYPTOMUS_BASE_URL      optional; https://api.cryptomus.com by default
//
// KunaCore customer API v2 (package customerv2):
//
//	RESTRICT_CUSTOMERV2_BASE_URL     API root (required: KunaCore publishes no host)
//	RESTRICT_CUSTOMERV2_API_KEY      API key; or the next three, to log in
//	RESTRICT_CUSTOMERV2_MERCHANT_ID  merchant ID for login
//	RESTRICT_CUSTOMERV2_EMAIL        merchant user's email for login
//	RESTRICT_CUSTOMERV2_PASSWORD     merchant user's password for login
//	RESTRICT_CUSTOMERV2_TARGET       customer ID (required)
//
// myKaarma Payments (package kpayment):
//
//	RESTRICT_KPAYMENT_USERNAME       ServiceSubscriber user name
//	RESTRICT_KPAYMENT_PASSWORD       ServiceSubscriber password
//	RESTRICT_KPAYMENT_TOKEN          OAuth2 access token, instead of the two above
//	RESTRICT_KPAYMENT_TARGET         customer UUID (required)
//	RESTRICT_KPAYMENT_BASE_URL       optional; https://api.mykaarma.com/payment by default
//
// Calypso Pay Customer Purse API (package purse):
//
//	RESTRICT_PURSE_ACCOUNT           merchant account ID (required)
//	RESTRICT_PURSE_KEY               public API key (required)
//	RESTRICT_PURSE_SECRET            API secret (required)
//	RESTRICT_PURSE_TARGET            Calypso customer ID (required)
//	RESTRICT_PURSE_BASE_URL          optional; https://api.calypso.finance by default
//
// SABI wallet platform (package walletplatform):
//
//	RESTRICT_WALLETPLATFORM_BASE_URL       wallet service root (required: SABI publishes no TLS host)
//	RESTRICT_WALLETPLATFORM_API_KEY        tenant API key (required)
//	RESTRICT_WALLETPLATFORM_TOKEN          bearer token; or the next two, to log in
//	RESTRICT_WALLETPLATFORM_USERNAME       user that logs in
//	RESTRICT_WALLETPLATFORM_PASS_ID        that user's pass ID
//	RESTRICT_WALLETPLATFORM_TARGET         account UUID (required)
//	RESTRICT_WALLETPLATFORM_USERS_URL      optional; where the login lives, if not on the base URL's host
//	RESTRICT_WALLETPLATFORM_INSECURE_HTTP  set to 1 to allow a plain http:// host that is not loopback
//
// The exit status is 0 when every restrict succeeded and every lift either
// succeeded or is unsupported by its provider, 1 otherwise, and 2 for a
// usage or configuration error.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"text/tabwriter"
	"time"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/fleet"
)

const reason = "restrict quickstart"

func main() {
	os.Exit(run(os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// run is the whole program. It takes its environment as getenv rather than
// reading os.Getenv, so tests decide exactly which providers are real.
func run(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("quickstart", flag.ContinueOnError)
	fs.SetOutput(stderr)
	verbose := fs.Bool("v", false, "log every HTTP attempt (debug level) to stderr")
	timeout := fs.Duration("timeout", 30*time.Second, "give up on the whole run after this long")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: quickstart [-v] [-timeout d]\n\nRestricts and lifts a customer at five providers' fakes, or at the real\nAPIs configured with RESTRICT_* environment variables (see go doc).")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "quickstart: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return 2
	}

	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()

	var bindings []restrict.Binding
	var where []string // "fake" or the real host, per binding
	for _, fp := range fleet.Providers {
		p, err := setup(fp, getenv, logger)
		if err != nil {
			fmt.Fprintf(stderr, "quickstart: %v\n", err)
			if errors.Is(err, errConfig) {
				return 2
			}
			return 1
		}
		defer p.close()
		bindings = append(bindings, restrict.Binding{Name: p.name, Restrictor: p.client, Target: restrict.Target{ID: p.target, Reason: reason}})
		where = append(where, p.where)
	}

	restricted := restrict.RestrictAll(ctx, bindings...)
	fmt.Fprintln(stdout, "Restrict (restrict.RestrictAll)")
	printReport(stdout, restricted, bindings, where)

	lifted := restrict.LiftAll(ctx, bindings...)
	fmt.Fprintln(stdout)
	fmt.Fprintln(stdout, "Lift (restrict.LiftAll)")
	printReport(stdout, lifted, bindings, where)

	code := 0
	for _, o := range restricted.Failed() {
		fmt.Fprintf(stderr, "quickstart: restrict at %s failed (the error is under the table)\n", o.Name)
		code = 1
	}
	for _, o := range lifted.Failed() {
		if errors.Is(o.Err, restrict.ErrUnsupported) {
			continue // the provider has no undo; that is not a failure of this run
		}
		fmt.Fprintf(stderr, "quickstart: lift at %s failed (the error is under the table)\n", o.Name)
		code = 1
	}
	return code
}

// printReport writes one aligned row per outcome, then the full error of
// each failure under the table, where a long message does not stretch the
// columns. A provider without a lift reads as a fact, not as a failure.
func printReport(w io.Writer, r *restrict.Report, bindings []restrict.Binding, where []string) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PROVIDER\tAT\tTARGET\tACTION\tSTATE\tATTEMPTS\tTIME")
	var failures []string
	for i, o := range r.Outcomes {
		action, state, attempts := "", "-", "-"
		switch {
		case o.Err == nil:
			action, state, attempts = string(o.Result.Action), string(o.Result.State), fmt.Sprint(o.Result.Attempts)
		case errors.Is(o.Err, restrict.ErrUnsupported):
			action = "no lift (unsupported)"
		default:
			action = "FAILED"
			var ae *restrict.APIError
			if errors.As(o.Err, &ae) && ae.Attempts > 0 {
				attempts = fmt.Sprint(ae.Attempts)
			}
			failures = append(failures, o.Name+": "+o.Err.Error())
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
			o.Name, where[i], bindings[i].Target.ID, action, state, attempts, formatDuration(o.Duration))
	}
	_ = tw.Flush()
	for _, f := range failures {
		fmt.Fprintln(w, "  "+f)
	}
}

// formatDuration keeps loopback timings readable: 1.2ms, not 1.234567ms.
func formatDuration(d time.Duration) string {
	switch {
	case d >= time.Second:
		return d.Round(10 * time.Millisecond).String()
	case d >= time.Millisecond:
		return d.Round(100 * time.Microsecond).String()
	default:
		return d.Round(time.Microsecond).String()
	}
}
