package main

import (
	"bytes"
	"strings"
	"testing"

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

var providers = fleet.Names()

// fakeSecrets are every secret credential the quickstart's fakes accept;
// none may appear in anything it prints.
var fakeSecrets = func() []string {
	var out []string
	for _, p := range fleet.Providers {
		for _, v := range p.Vars {
			if v.Secret && p.FakeCredentials[v.Name] != "" {
				out = append(out, p.FakeCredentials[v.Name])
			}
		}
	}
	return out
}()

// env builds a getenv from a map, so a test sees no variable of the
// machine it runs on.
func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func runQuickstart(t *testing.T, getenv func(string) string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, getenv, &out, &errb)
	return code, out.String(), errb.String()
}

// sections splits the output into the restrict table and the lift table,
// each as its rows keyed by provider.
func sections(t *testing.T, stdout string) (restrictRows, liftRows map[string]string) {
	t.Helper()
	restrictPart, liftPart, ok := strings.Cut(stdout, "Lift (restrict.LiftAll)")
	if !ok || !strings.HasPrefix(restrictPart, "Restrict (restrict.RestrictAll)") {
		t.Fatalf("output lacks the two tables:\n%s", stdout)
	}
	return rows(t, restrictPart), rows(t, liftPart)
}

func rows(t *testing.T, table string) map[string]string {
	t.Helper()
	got := map[string]string{}
	for _, line := range strings.Split(table, "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		for _, p := range providers {
			if fields[0] == p {
				if _, dup := got[p]; dup {
					t.Errorf("two rows for %s:\n%s", p, table)
				}
				got[p] = line
			}
		}
	}
	return got
}

func assertNoSecrets(t *testing.T, outputs ...string) {
	t.Helper()
	for _, s := range fakeSecrets {
		for _, o := range outputs {
			if strings.Contains(o, s) {
				t.Errorf("output contains the credential %q:\n%s", s, o)
			}
		}
	}
}

func TestRunAgainstFakes(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{nil, {"-v"}} {
		t.Run(strings.Join(append([]string{"args"}, args...), " "), func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := runQuickstart(t, env(nil), args...)
			if code != 0 {
				t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
			}
			restricted, lifted := sections(t, stdout)
			wantLift := map[string]string{
				"cryptomus":      "no lift (unsupported)",
				"customerv2":     "no lift (unsupported)",
				"kpayment":       "no lift (unsupported)",
				"purse":          "unblock",
				"walletplatform": "unfreeze",
			}
			for _, p := range providers {
				if r := restricted[p]; !strings.Contains(r, " fake ") || !strings.Contains(r, " restricted ") {
					t.Errorf("restrict row for %s = %q; want it done at the fake and restricted", p, r)
				}
				if r := lifted[p]; !strings.Contains(r, wantLift[p]) {
					t.Errorf("lift row for %s = %q; want %q", p, r, wantLift[p])
				}
			}
			if strings.Contains(stdout, "FAILED") {
				t.Errorf("a provider failed:\n%s", stdout)
			}
			if len(args) > 0 && !strings.Contains(stderr, "level=DEBUG") {
				t.Errorf("-v logged nothing at debug level:\n%s", stderr)
			}
			if len(args) == 0 && stderr != "" {
				t.Errorf("stderr is not empty without -v:\n%s", stderr)
			}
			assertNoSecrets(t, stdout, stderr)
		})
	}
}

// Variables that point a provider at an API make the quickstart restrict the
// given target there, and create nothing. Fakes stand in for the real APIs.
func TestRunUsesConfiguredProviders(t *testing.T) {
	t.Parallel()
	crypto := cryptomustest.NewServer(cryptomus.Credentials{MerchantID: "0a7c5b1e-1111-4222-8333-444455556666", PaymentKey: "configured-cryptomus-key"})
	defer crypto.Close()
	wallet := crypto.AddWallet(cryptomustest.Wallet{OrderID: "configured-order"})

	purseSrv := pursetest.NewServer(purse.Credentials{Account: "0xconfigured", Key: "configured-key", Secret: "configured-secret"})
	defer purseSrv.Close()
	cust := purseSrv.AddCustomer(purse.Customer{ExternalID: "configured-customer"})

	code, stdout, stderr := runQuickstart(t, env(map[string]string{
		"RESTRICT_CRYPTOMUS_MERCHANT_ID": "0a7c5b1e-1111-4222-8333-444455556666",
		"RESTRICT_CRYPTOMUS_PAYMENT_KEY": "configured-cryptomus-key",
		"RESTRICT_CRYPTOMUS_TARGET":      "configured-order",
		"RESTRICT_CRYPTOMUS_BASE_URL":    crypto.BaseURL(),
		"RESTRICT_PURSE_ACCOUNT":         "0xconfigured",
		"RESTRICT_PURSE_KEY":             "configured-key",
		"RESTRICT_PURSE_SECRET":          "configured-secret",
		"RESTRICT_PURSE_TARGET":          cust.ID,
		"RESTRICT_PURSE_BASE_URL":        purseSrv.BaseURL(),
	}))
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	restricted, _ := sections(t, stdout)
	cryptoHost := strings.TrimPrefix(crypto.BaseURL(), "http://")
	if r := restricted["cryptomus"]; !strings.Contains(r, cryptoHost) || !strings.Contains(r, "configured-order") {
		t.Errorf("cryptomus row = %q; want the configured host and target", r)
	}
	if r := restricted["purse"]; !strings.Contains(r, cust.ID) {
		t.Errorf("purse row = %q; want the configured target", r)
	}
	if r := restricted["kpayment"]; !strings.Contains(r, " fake ") {
		t.Errorf("kpayment row = %q; an unconfigured provider must use its fake", r)
	}

	// One block, no create; the lift is unsupported and sends nothing.
	if n := crypto.Requests(); n != 1 {
		t.Errorf("the configured Cryptomus got %d requests; want 1 (the block)", n)
	}
	if w, _ := crypto.Wallet(wallet.UUID); w.Status != cryptomus.WalletStatusBlocked {
		t.Errorf("wallet status = %q; want blocked", w.Status)
	}
	// Blocked, then unblocked by the lift.
	if n := purseSrv.Requests(); n != 2 {
		t.Errorf("the configured Calypso got %d requests; want 2 (block and unblock)", n)
	}
	if c, _ := purseSrv.Customer(cust.ID); c.Blocked {
		t.Error("the purse customer is still blocked after the lift")
	}
	assertNoSecrets(t, stdout, stderr)
	for _, s := range []string{"configured-cryptomus-key", "configured-key", "configured-secret"} {
		if strings.Contains(stdout+stderr, s) {
			t.Errorf("output contains the configured credential %q", s)
		}
	}
}

func TestRunFailsWhenARestrictFails(t *testing.T) {
	t.Parallel()
	srv := pursetest.NewServer(purse.Credentials{Account: "0xfail", Key: "fail-key", Secret: "fail-secret"})
	defer srv.Close()

	code, stdout, stderr := runQuickstart(t, env(map[string]string{
		"RESTRICT_PURSE_ACCOUNT":  "0xfail",
		"RESTRICT_PURSE_KEY":      "fail-key",
		"RESTRICT_PURSE_SECRET":   "fail-secret",
		"RESTRICT_PURSE_TARGET":   "00000000-0000-4000-8000-00000000dead", // unknown to the fake
		"RESTRICT_PURSE_BASE_URL": srv.BaseURL(),
	}))
	if code != 1 {
		t.Fatalf("exit %d; want 1\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	restricted, lifted := sections(t, stdout)
	if !strings.Contains(restricted["purse"], "FAILED") || !strings.Contains(lifted["purse"], "FAILED") {
		t.Errorf("purse rows do not show the failure:\n%s", stdout)
	}
	if !strings.Contains(stderr, "restrict at purse failed") {
		t.Errorf("stderr does not report the failure:\n%s", stderr)
	}
	if !strings.Contains(stdout, "  purse: restrict: purse BlockCustomer:") || !strings.Contains(stdout, "not found") {
		t.Errorf("the failure's error is not under the table:\n%s", stdout)
	}
	// The other four still ran: one failure never stops the fan-out.
	if !strings.Contains(restricted["walletplatform"], "restricted") {
		t.Errorf("walletplatform row = %q", restricted["walletplatform"])
	}
	if strings.Contains(stdout+stderr, "fail-secret") || strings.Contains(stdout+stderr, "fail-key") {
		t.Error("output contains a configured credential")
	}
}

func TestRunRefusesIncompleteConfiguration(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := runQuickstart(t, env(map[string]string{
		"RESTRICT_WALLETPLATFORM_API_KEY": "half-configured-key",
	}))
	if code != 2 {
		t.Fatalf("exit %d; want 2\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"RESTRICT_WALLETPLATFORM_BASE_URL", "RESTRICT_WALLETPLATFORM_TARGET"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr does not name %s:\n%s", want, stderr)
		}
	}
	if stdout != "" {
		t.Errorf("nothing should run, but stdout is:\n%s", stdout)
	}
	if strings.Contains(stderr, "half-configured-key") {
		t.Error("stderr contains the configured key")
	}
}

func TestRunFlags(t *testing.T) {
	t.Parallel()
	if code, _, _ := runQuickstart(t, env(nil), "-h"); code != 0 {
		t.Errorf("-h: exit %d; want 0", code)
	}
	if code, _, stderr := runQuickstart(t, env(nil), "-nope"); code != 2 || !strings.Contains(stderr, "usage") {
		t.Errorf("unknown flag: exit %d, stderr %q; want 2 and the usage", code, stderr)
	}
	if code, _, _ := runQuickstart(t, env(nil), "extra"); code != 2 {
		t.Errorf("stray argument: exit %d; want 2", code)
	}
}

// Every documented variable reaches its client: all five providers
// configured, each pointed at a fake standing in for the real API.
func TestRunEveryProviderConfigured(t *testing.T) {
	t.Parallel()
	crypto := cryptomustest.NewServer(cryptomus.Credentials{MerchantID: "0a7c5b1e-1111-4222-8333-444455556666", PaymentKey: "all-cryptomus-key"})
	defer crypto.Close()
	wallet := crypto.AddWallet(cryptomustest.Wallet{})

	kuna := customerv2test.NewServer(customerv2.Credentials{MerchantID: "all-merchant", Email: "ops@example.com", Password: "all-kuna-password"})
	defer kuna.Close()
	kunaCustomer := kuna.AddCustomer(customerv2.Customer{Email: "target@example.com"})

	kaarma := kpaymenttest.NewServer(kpayment.Credentials{Token: "all-kpayment-token"})
	defer kaarma.Close()
	kaarmaCustomer := kaarma.AddCustomer(kpaymenttest.Customer{})

	calypso := pursetest.NewServer(purse.Credentials{Account: "0xall", Key: "all-purse-key", Secret: "all-purse-secret"})
	defer calypso.Close()
	purseCustomer := calypso.AddCustomer(purse.Customer{ExternalID: "all"})

	sabi := walletplatformtest.NewServer(walletplatform.Credentials{APIKey: walletplatformtest.APIKey, Username: "all-user", PassID: "all-pass-id"})
	defer sabi.Close()
	sabi.AddAccount("all-account")

	code, stdout, stderr := runQuickstart(t, env(map[string]string{
		"RESTRICT_CRYPTOMUS_MERCHANT_ID":        "0a7c5b1e-1111-4222-8333-444455556666",
		"RESTRICT_CRYPTOMUS_PAYMENT_KEY":        "all-cryptomus-key",
		"RESTRICT_CRYPTOMUS_TARGET":             wallet.UUID,
		"RESTRICT_CRYPTOMUS_BASE_URL":           crypto.BaseURL(),
		"RESTRICT_CUSTOMERV2_BASE_URL":          kuna.BaseURL(),
		"RESTRICT_CUSTOMERV2_MERCHANT_ID":       "all-merchant",
		"RESTRICT_CUSTOMERV2_EMAIL":             "ops@example.com",
		"RESTRICT_CUSTOMERV2_PASSWORD":          "all-kuna-password",
		"RESTRICT_CUSTOMERV2_TARGET":            kunaCustomer.ID,
		"RESTRICT_KPAYMENT_TOKEN":               "all-kpayment-token",
		"RESTRICT_KPAYMENT_TARGET":              kaarmaCustomer.UUID,
		"RESTRICT_KPAYMENT_BASE_URL":            kaarma.BaseURL(),
		"RESTRICT_PURSE_ACCOUNT":                "0xall",
		"RESTRICT_PURSE_KEY":                    "all-purse-key",
		"RESTRICT_PURSE_SECRET":                 "all-purse-secret",
		"RESTRICT_PURSE_TARGET":                 purseCustomer.ID,
		"RESTRICT_PURSE_BASE_URL":               calypso.BaseURL(),
		"RESTRICT_WALLETPLATFORM_BASE_URL":      sabi.BaseURL(),
		"RESTRICT_WALLETPLATFORM_API_KEY":       string(walletplatformtest.APIKey),
		"RESTRICT_WALLETPLATFORM_USERNAME":      "all-user",
		"RESTRICT_WALLETPLATFORM_PASS_ID":       "all-pass-id",
		"RESTRICT_WALLETPLATFORM_TARGET":        "all-account",
		"RESTRICT_WALLETPLATFORM_USERS_URL":     sabi.UsersURL(),
		"RESTRICT_WALLETPLATFORM_INSECURE_HTTP": "1",
	}))
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	restricted, lifted := sections(t, stdout)
	for _, p := range providers {
		if r := restricted[p]; strings.Contains(r, " fake ") || !strings.Contains(r, "127.0.0.1:") || !strings.Contains(r, " restricted ") {
			t.Errorf("restrict row for %s = %q; want it restricted at the configured host", p, r)
		}
	}
	if !strings.Contains(lifted["purse"], " active ") || !strings.Contains(lifted["walletplatform"], " active ") {
		t.Errorf("lift rows:\n%s", stdout)
	}
	if !kaarma.Blocked(kaarmaCustomer.UUID) {
		t.Error("the configured myKaarma customer was not blocked")
	}
	if c, _ := kuna.Customer(kunaCustomer.ID); !c.Suspended() {
		t.Error("the configured KunaCore customer was not suspended")
	}
	if n := len(kuna.Customers()); n != 1 {
		t.Errorf("KunaCore holds %d customers; the quickstart must create none for a configured provider", n)
	}
	if a, _ := sabi.Account("all-account"); a.Frozen() {
		t.Error("the configured SABI account is still frozen after the lift")
	}
	for _, s := range []string{"all-cryptomus-key", "all-kuna-password", "all-kpayment-token", "all-purse-key", "all-purse-secret", "all-pass-id", string(walletplatformtest.APIKey)} {
		if strings.Contains(stdout+stderr, s) {
			t.Errorf("output contains the configured credential %q", s)
		}
	}
}
