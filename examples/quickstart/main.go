// Command quickstart restricts one customer at all five providers with
// restrict.RestrictAll, prints what each provider did, then lifts the
// restriction with restrict.LiftAll where the provider allows it.
//
// With no environment variables it needs no account: it starts a fake of
// every provider on loopback, creates the customer, wallet or account each
// one needs (through the provider's own API where it has one), and works
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
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/cryptomus"
	"github.com/restrictkit/restrict/cryptomus/cryptomustest"
	"github.com/restrictkit/restrict/customerv2"
	"github.com/restrictkit/restrict/customerv2/customerv2test"
	"github.com/restrictkit/restrict/kpayment"
	"github.com/restrictkit/restrict/kpayment/kpaymenttest"
	"github.com/restrictkit/restrict/purse"
	"github.com/restrictkit/restrict/purse/pursetest"
	"github.com/restrictkit/restrict/walletplatform"
	"github.com/restrictkit/restrict/walletplatform/walletplatformtest"
)

// The credentials the in-process fakes accept. They are made up, but the
// program treats them as it would real ones: none may ever reach the output,
// and the test checks that.
const (
	fakeCryptomusMerchant = "8b03432e-385b-4670-8d06-064591096795"
	fakeCryptomusKey      = "fake-cryptomus-payment-key"
	fakeKPaymentUser      = "quickstart-subscriber"
	fakeKPaymentPassword  = "fake-kpayment-password"
	fakePurseAccount      = "0x00000000000000000000000000000000000000aa"
	fakePurseKey          = "fake-purse-public-key"
	fakePurseSecret       = "fake-purse-secret"
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
	for _, setup := range []func(context.Context, func(string) string, *slog.Logger) (*provider, error){
		setupCryptomus, setupCustomerV2, setupKPayment, setupPurse, setupWalletPlatform,
	} {
		p, err := setup(ctx, getenv, logger)
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
		fmt.Fprintf(stderr, "quickstart: restrict at %s failed: %v\n", o.Name, o.Err)
		code = 1
	}
	for _, o := range lifted.Failed() {
		if errors.Is(o.Err, restrict.ErrUnsupported) {
			continue // the provider has no undo; that is not a failure of this run
		}
		fmt.Fprintf(stderr, "quickstart: lift at %s failed: %v\n", o.Name, o.Err)
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

// provider is one configured binding: a client, what to restrict there, and
// how to release what was started for it.
type provider struct {
	name   string
	client restrict.Restrictor
	target string
	where  string // "fake", or the real API's host
	close  func()
}

// errConfig marks a mistake in the environment: exit status 2, not 1.
var errConfig = errors.New("configuration error")

// envBlock is one provider's RESTRICT_<PROVIDER>_* variables.
type envBlock struct {
	prefix string
	vals   map[string]string
	set    bool // any variable of the block is set
}

func readEnv(getenv func(string) string, provider string, names ...string) envBlock {
	b := envBlock{prefix: "RESTRICT_" + provider + "_", vals: map[string]string{}}
	for _, n := range names {
		if v := strings.TrimSpace(getenv(b.prefix + n)); v != "" {
			b.vals[n] = v
			b.set = true
		}
	}
	return b
}

func (b envBlock) get(name string) string { return b.vals[name] }

// require fails naming every missing variable, so one run shows all of them.
func (b envBlock) require(names ...string) error {
	var missing []string
	for _, n := range names {
		if b.vals[n] == "" {
			missing = append(missing, b.prefix+n)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: some %s* variables are set, so the real API is used, but %s missing",
			errConfig, b.prefix, strings.Join(missing, ", ")+pluralIs(len(missing)))
	}
	return nil
}

func pluralIs(n int) string {
	if n == 1 {
		return " is"
	}
	return " are"
}

// realOptions are the options for a real provider: its base URL when one is
// given. The logger is shared with the fakes' clients.
func (b envBlock) realOptions(logger *slog.Logger) []restrict.Option {
	opts := []restrict.Option{restrict.WithLogger(logger)}
	if u := b.get("BASE_URL"); u != "" {
		opts = append(opts, restrict.WithBaseURL(u))
	}
	return opts
}

// host names a real API in the table without its path or anything else.
func host(rawURL, fallback string) string {
	if rawURL == "" {
		rawURL = fallback
	}
	if u, err := url.Parse(rawURL); err == nil && u.Host != "" {
		return u.Host
	}
	return "real API"
}

func configErr(provider string, err error) error {
	return fmt.Errorf("%w: %s: %v", errConfig, provider, err)
}

func noClose() {}

func setupCryptomus(ctx context.Context, getenv func(string) string, logger *slog.Logger) (*provider, error) {
	env := readEnv(getenv, "CRYPTOMUS", "MERCHANT_ID", "PAYMENT_KEY", "TARGET", "BASE_URL")
	if env.set {
		if err := env.require("MERCHANT_ID", "PAYMENT_KEY", "TARGET"); err != nil {
			return nil, err
		}
		c, err := cryptomus.New(cryptomus.Credentials{
			MerchantID: env.get("MERCHANT_ID"),
			PaymentKey: restrict.Secret(env.get("PAYMENT_KEY")),
		}, env.realOptions(logger)...)
		if err != nil {
			return nil, configErr(cryptomus.Provider, err)
		}
		return &provider{cryptomus.Provider, c, env.get("TARGET"), host(env.get("BASE_URL"), cryptomus.DefaultBaseURL), noClose}, nil
	}

	srv := cryptomustest.NewServer(fakeCryptomusMerchant, fakeCryptomusKey)
	c, err := cryptomus.New(cryptomus.Credentials{MerchantID: fakeCryptomusMerchant, PaymentKey: fakeCryptomusKey},
		restrict.WithBaseURL(srv.URL), restrict.WithLogger(logger))
	if err != nil {
		srv.Close()
		return nil, err
	}
	// A static wallet is what Cryptomus blocks: create one as a merchant would.
	w, err := c.CreateStaticWallet(ctx, cryptomus.CreateStaticWalletRequest{Currency: "USDT", Network: "tron", OrderID: "quickstart-" + randomHex(4)})
	if err != nil {
		srv.Close()
		return nil, fmt.Errorf("cryptomus: creating a static wallet at the fake: %w", err)
	}
	return &provider{cryptomus.Provider, c, w.UUID, "fake", srv.Close}, nil
}

func setupCustomerV2(ctx context.Context, getenv func(string) string, logger *slog.Logger) (*provider, error) {
	env := readEnv(getenv, "CUSTOMERV2", "BASE_URL", "API_KEY", "MERCHANT_ID", "EMAIL", "PASSWORD", "TARGET")
	if env.set {
		if err := env.require("BASE_URL", "TARGET"); err != nil {
			return nil, err
		}
		creds := customerv2.Credentials{APIKey: restrict.Secret(env.get("API_KEY"))}
		if creds.APIKey == "" {
			if err := env.require("MERCHANT_ID", "EMAIL", "PASSWORD"); err != nil {
				return nil, fmt.Errorf("%w (or set RESTRICT_CUSTOMERV2_API_KEY instead)", err)
			}
			creds = customerv2.Credentials{MerchantID: env.get("MERCHANT_ID"), Email: env.get("EMAIL"), Password: restrict.Secret(env.get("PASSWORD"))}
		}
		c, err := customerv2.New(creds, env.realOptions(logger)...)
		if err != nil {
			return nil, configErr(customerv2.Provider, err)
		}
		return &provider{customerv2.Provider, c, env.get("TARGET"), host(env.get("BASE_URL"), ""), noClose}, nil
	}

	srv := customerv2test.NewServer(customerv2test.Config{})
	c, err := customerv2.New(customerv2.Credentials{APIKey: customerv2test.DefaultAPIKey},
		restrict.WithBaseURL(srv.URL), restrict.WithLogger(logger))
	if err != nil {
		srv.Close()
		return nil, err
	}
	// KunaCore suspends customers, so create one; every field below is required.
	cust, err := c.CreateCustomer(ctx, customerv2.CreateCustomerRequest{
		Email:                  "quickstart-" + randomHex(4) + "@example.com",
		FirstName:              "Quick",
		LastName:               "Start",
		Country:                "UA",
		VerificationDocumentID: "passport-QS000001",
		ResidenceAddress:       "Kyiv, Khreshchatyk St 1",
	})
	if err != nil {
		srv.Close()
		return nil, fmt.Errorf("customerv2: creating a customer at the fake: %w", err)
	}
	return &provider{customerv2.Provider, c, cust.ID, "fake", srv.Close}, nil
}

func setupKPayment(_ context.Context, getenv func(string) string, logger *slog.Logger) (*provider, error) {
	env := readEnv(getenv, "KPAYMENT", "USERNAME", "PASSWORD", "TOKEN", "TARGET", "BASE_URL")
	if env.set {
		if err := env.require("TARGET"); err != nil {
			return nil, err
		}
		creds := kpayment.Credentials{Token: restrict.Secret(env.get("TOKEN"))}
		if creds.Token == "" {
			if err := env.require("USERNAME", "PASSWORD"); err != nil {
				return nil, fmt.Errorf("%w (or set RESTRICT_KPAYMENT_TOKEN instead)", err)
			}
			creds = kpayment.Credentials{Username: env.get("USERNAME"), Password: restrict.Secret(env.get("PASSWORD"))}
		}
		c, err := kpayment.New(creds, env.realOptions(logger)...)
		if err != nil {
			return nil, configErr(kpayment.Provider, err)
		}
		return &provider{kpayment.Provider, c, env.get("TARGET"), host(env.get("BASE_URL"), kpayment.DefaultBaseURL), noClose}, nil
	}

	creds := kpayment.Credentials{Username: fakeKPaymentUser, Password: fakeKPaymentPassword}
	srv := kpaymenttest.NewServer(creds)
	c, err := kpayment.New(creds, restrict.WithBaseURL(srv.BaseURL()), restrict.WithLogger(logger))
	if err != nil {
		srv.Close()
		return nil, err
	}
	// myKaarma's Payments API creates no customers; its customer UUIDs come
	// from the dealership system, so any UUID stands in for one.
	return &provider{kpayment.Provider, c, randomUUID(), "fake", srv.Close}, nil
}

func setupPurse(ctx context.Context, getenv func(string) string, logger *slog.Logger) (*provider, error) {
	env := readEnv(getenv, "PURSE", "ACCOUNT", "KEY", "SECRET", "TARGET", "BASE_URL")
	if env.set {
		if err := env.require("ACCOUNT", "KEY", "SECRET", "TARGET"); err != nil {
			return nil, err
		}
		c, err := purse.New(purse.Credentials{
			Account: env.get("ACCOUNT"),
			Key:     restrict.Secret(env.get("KEY")),
			Secret:  restrict.Secret(env.get("SECRET")),
		}, env.realOptions(logger)...)
		if err != nil {
			return nil, configErr(purse.Provider, err)
		}
		return &provider{purse.Provider, c, env.get("TARGET"), host(env.get("BASE_URL"), purse.DefaultBaseURL), noClose}, nil
	}

	srv := pursetest.NewServer(pursetest.Credentials{Account: fakePurseAccount, Key: fakePurseKey, Secret: fakePurseSecret})
	c, err := purse.New(purse.Credentials{Account: fakePurseAccount, Key: fakePurseKey, Secret: fakePurseSecret},
		restrict.WithBaseURL(srv.URL), restrict.WithLogger(logger))
	if err != nil {
		srv.Close()
		return nil, err
	}
	cust, err := c.CreateCustomer(ctx, purse.CreateCustomerRequest{Email: "quickstart@example.com", ExternalID: "quickstart-" + randomHex(4)})
	if err != nil {
		srv.Close()
		return nil, fmt.Errorf("purse: creating a customer at the fake: %w", err)
	}
	return &provider{purse.Provider, c, cust.ID, "fake", srv.Close}, nil
}

func setupWalletPlatform(_ context.Context, getenv func(string) string, logger *slog.Logger) (*provider, error) {
	env := readEnv(getenv, "WALLETPLATFORM", "BASE_URL", "API_KEY", "TOKEN", "USERNAME", "PASS_ID", "TARGET", "USERS_URL", "INSECURE_HTTP")
	if env.set {
		if err := env.require("BASE_URL", "API_KEY", "TARGET"); err != nil {
			return nil, err
		}
		creds := walletplatform.Credentials{APIKey: restrict.Secret(env.get("API_KEY")), Token: restrict.Secret(env.get("TOKEN"))}
		if creds.Token == "" {
			if err := env.require("USERNAME", "PASS_ID"); err != nil {
				return nil, fmt.Errorf("%w (or set RESTRICT_WALLETPLATFORM_TOKEN instead)", err)
			}
			creds.Username, creds.PassID = env.get("USERNAME"), restrict.Secret(env.get("PASS_ID"))
		}
		opts := env.realOptions(logger)
		if u := env.get("USERS_URL"); u != "" {
			opts = append(opts, walletplatform.WithUsersURL(u))
		}
		if env.get("INSECURE_HTTP") == "1" {
			opts = append(opts, restrict.WithInsecureHTTP())
		}
		c, err := walletplatform.New(creds, opts...)
		if err != nil {
			return nil, configErr(walletplatform.Provider, err)
		}
		return &provider{walletplatform.Provider, c, env.get("TARGET"), host(env.get("BASE_URL"), ""), noClose}, nil
	}

	srv := walletplatformtest.NewServer()
	c, err := walletplatform.New(walletplatform.Credentials{
		APIKey:   walletplatformtest.APIKey,
		Username: walletplatformtest.Username,
		PassID:   walletplatformtest.PassID,
	}, restrict.WithBaseURL(srv.BaseURL()), restrict.WithLogger(logger))
	if err != nil {
		srv.Close()
		return nil, err
	}
	// The platform's API documents no way to open an account, so the fake
	// is seeded with one.
	id := randomUUID()
	srv.AddAccount(id)
	return &provider{walletplatform.Provider, c, id, "fake", srv.Close}, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return fmt.Sprintf("%x", b)
}

func randomUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
