// Package fleet knows all five providers by name: which RESTRICT_<PROVIDER>_*
// variables configure each, how to build its client from them, its ID
// rule, and how to start and seed its fake. The operator's command
// (cmd/restrict), the quickstart, bulk's loopback benchmark and the
// conformance suite share it, so a provider is configured, and faked, the
// same way everywhere, and adding one touches the one table, Providers.
// Like them, it is the only kind of package that imports every provider.
package fleet

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

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

// Client is what a provider's client is to the fleet: it restricts, lifts
// and reads back.
type Client interface {
	restrict.Restrictor
	restrict.Checker
}

// Var is one setting of a provider, read from RESTRICT_<PROVIDER>_<Name>.
type Var struct {
	Name   string // "MERCHANT_ID"
	Doc    string // what it is, for help and errors
	Secret bool   // a credential: never printed
}

// Provider is one provider as the fleet configures it.
type Provider struct {
	Name string // the package name: "purse"
	Vars []Var
	// IDs says which target IDs the provider accepts, for help text.
	IDs string
	// DefaultBaseURL is the provider's published host; "" where it
	// publishes none and BASE_URL is required.
	DefaultBaseURL string
	// CheckTargetID is the provider package's ID rule.
	CheckTargetID func(id string) error
	// FakeCredentials are fixed, made-up credentials for StartFake, for
	// programs whose tests check that no credential is ever printed.
	FakeCredentials Values
	build           func(p Provider, v Values, opts []restrict.Option) (Client, error)
	fake            fakeKit
}

// Values are one provider's variables that are set, by Var.Name.
type Values map[string]string

// Prefix is the start of every variable of provider p: RESTRICT_PURSE_.
func Prefix(p string) string { return "RESTRICT_" + strings.ToUpper(p) + "_" }

// Env is the full variable name of one setting: RESTRICT_PURSE_ACCOUNT.
func (p Provider) Env(name string) string { return Prefix(p.Name) + name }

// Read collects p's variables from getenv; set says whether any is set.
func (p Provider) Read(getenv func(string) string) (v Values, set bool) {
	v = Values{}
	for _, vr := range p.Vars {
		if s := strings.TrimSpace(getenv(p.Env(vr.Name))); s != "" {
			v[vr.Name] = s
		}
	}
	return v, len(v) > 0
}

// require names every missing variable at once.
func (p Provider) require(v Values, names ...string) error {
	var missing []string
	for _, n := range names {
		if v[n] == "" {
			missing = append(missing, p.Env(n))
		}
	}
	switch len(missing) {
	case 0:
		return nil
	case 1:
		return fmt.Errorf("%s: %s is not set", p.Name, missing[0])
	}
	return fmt.Errorf("%s: %s are not set", p.Name, strings.Join(missing, ", "))
}

// New builds p's client from its variables, with opts after the base URL
// the variables give. Its error names the missing variables, or is the
// provider's own New error (which names the field at fault and never shows
// a credential).
func (p Provider) New(v Values, opts ...restrict.Option) (Client, error) {
	if v["BASE_URL"] != "" {
		opts = append([]restrict.Option{restrict.WithBaseURL(v["BASE_URL"])}, opts...)
	}
	return p.build(p, v, opts)
}

// Providers are the five, by package name in alphabetical order.
var Providers = []Provider{
	{
		Name: cryptomus.Provider,
		Vars: []Var{
			{Name: "MERCHANT_ID", Doc: "the merchant UUID"},
			{Name: "PAYMENT_KEY", Doc: "the payment API key", Secret: true},
			{Name: "BASE_URL", Doc: "optional; " + cryptomus.DefaultBaseURL + " by default"},
		},
		IDs:            "a static wallet's UUID, or its order ID (1-32 letters, digits, - or _)",
		DefaultBaseURL: cryptomus.DefaultBaseURL,
		CheckTargetID:  cryptomus.CheckTargetID,
		build: func(p Provider, v Values, opts []restrict.Option) (Client, error) {
			if err := p.require(v, "MERCHANT_ID", "PAYMENT_KEY"); err != nil {
				return nil, err
			}
			return cryptomus.New(cryptomusCredentials(v), opts...)
		},
		FakeCredentials: Values{"MERCHANT_ID": "8b03432e-385b-4670-8d06-064591096795", "PAYMENT_KEY": "fake-cryptomus-payment-key"},
		fake: fakeKit{
			random: func() Values {
				return Values{"MERCHANT_ID": randomUUID(), "PAYMENT_KEY": randomCredential("cryptomus-key")}
			},
			start: func(v Values) (FakeServer, func(int) string) {
				s := cryptomustest.NewServer(cryptomusCredentials(v))
				return s, func(i int) string { return s.AddWallet(cryptomustest.Wallet{OrderID: fmt.Sprintf("seed-%d", i)}).UUID }
			},
		},
	},
	{
		Name: customerv2.Provider,
		Vars: []Var{
			{Name: "BASE_URL", Doc: "the API root (required: KunaCore publishes no host)"},
			{Name: "API_KEY", Doc: "the API key; or MERCHANT_ID, EMAIL and PASSWORD to log in", Secret: true},
			{Name: "MERCHANT_ID", Doc: "the merchant ID, for login"},
			{Name: "EMAIL", Doc: "the merchant user's email, for login"},
			{Name: "PASSWORD", Doc: "the merchant user's password, for login", Secret: true},
		},
		IDs:           "the KunaCore customer ID, a UUID",
		CheckTargetID: customerv2.CheckTargetID,
		build: func(p Provider, v Values, opts []restrict.Option) (Client, error) {
			if err := p.require(v, "BASE_URL"); err != nil {
				return nil, err
			}
			if v["API_KEY"] != "" {
				return customerv2.New(customerv2.Credentials{APIKey: restrict.Secret(v["API_KEY"])}, opts...)
			}
			if err := p.require(v, "MERCHANT_ID", "EMAIL", "PASSWORD"); err != nil {
				return nil, fmt.Errorf("%w (or set %s instead)", err, p.Env("API_KEY"))
			}
			return customerv2.New(customerv2.Credentials{MerchantID: v["MERCHANT_ID"], Email: v["EMAIL"], Password: restrict.Secret(v["PASSWORD"])}, opts...)
		},
		FakeCredentials: Values{"API_KEY": customerv2test.APIKey},
		fake: fakeKit{
			random: func() Values { return Values{"API_KEY": randomCredential("kunacore-key")} },
			start: func(v Values) (FakeServer, func(int) string) {
				s := customerv2test.NewServer(customerv2.Credentials{APIKey: restrict.Secret(v["API_KEY"]),
					MerchantID: v["MERCHANT_ID"], Email: v["EMAIL"], Password: restrict.Secret(v["PASSWORD"])})
				return s, func(i int) string {
					return s.AddCustomer(customerv2.Customer{Email: fmt.Sprintf("subject-%d@example.com", i), FirstName: "Subject", LastName: strconv.Itoa(i), Country: "UA"}).ID
				}
			},
		},
	},
	{
		Name: kpayment.Provider,
		Vars: []Var{
			{Name: "USERNAME", Doc: "the ServiceSubscriber user name"},
			{Name: "PASSWORD", Doc: "the ServiceSubscriber password", Secret: true},
			{Name: "TOKEN", Doc: "an OAuth2 access token, instead of USERNAME and PASSWORD", Secret: true},
			{Name: "BASE_URL", Doc: "optional; " + kpayment.DefaultBaseURL + " by default"},
		},
		IDs:            "the myKaarma customer UUID",
		DefaultBaseURL: kpayment.DefaultBaseURL,
		CheckTargetID:  kpayment.CheckTargetID,
		build: func(p Provider, v Values, opts []restrict.Option) (Client, error) {
			if v["TOKEN"] != "" {
				return kpayment.New(kpayment.Credentials{Token: restrict.Secret(v["TOKEN"])}, opts...)
			}
			if err := p.require(v, "USERNAME", "PASSWORD"); err != nil {
				return nil, fmt.Errorf("%w (or set %s instead)", err, p.Env("TOKEN"))
			}
			return kpayment.New(kpayment.Credentials{Username: v["USERNAME"], Password: restrict.Secret(v["PASSWORD"])}, opts...)
		},
		FakeCredentials: Values{"USERNAME": "quickstart-subscriber", "PASSWORD": "fake-kpayment-password"},
		fake: fakeKit{
			random: func() Values {
				return Values{"USERNAME": randomCredential("subscriber"), "PASSWORD": randomCredential("kpayment-password")}
			},
			start: func(v Values) (FakeServer, func(int) string) {
				s := kpaymenttest.NewServer(kpayment.Credentials{Username: v["USERNAME"], Password: restrict.Secret(v["PASSWORD"]), Token: restrict.Secret(v["TOKEN"])})
				return s, func(int) string { return s.AddCustomer(kpaymenttest.Customer{}).UUID }
			},
		},
	},
	{
		Name: purse.Provider,
		Vars: []Var{
			{Name: "ACCOUNT", Doc: "the merchant account ID"},
			{Name: "KEY", Doc: "the public API key", Secret: true},
			{Name: "SECRET", Doc: "the API secret", Secret: true},
			{Name: "BASE_URL", Doc: "optional; " + purse.DefaultBaseURL + " by default"},
			{Name: "WEBHOOK_KEY", Doc: "optional; the webhook subscription's secretKey, which verifies Calypso's webhooks to restrict serve", Secret: true},
		},
		IDs:            "Calypso's customer ID, a UUID",
		DefaultBaseURL: purse.DefaultBaseURL,
		CheckTargetID:  purse.CheckTargetID,
		build: func(p Provider, v Values, opts []restrict.Option) (Client, error) {
			if err := p.require(v, "ACCOUNT", "KEY", "SECRET"); err != nil {
				return nil, err
			}
			return purse.New(purseCredentials(v), opts...)
		},
		FakeCredentials: Values{"ACCOUNT": "0x00000000000000000000000000000000000000aa", "KEY": "fake-purse-public-key", "SECRET": "fake-purse-secret", "WEBHOOK_KEY": "fake-purse-webhook-key"},
		fake: fakeKit{
			random: func() Values {
				return Values{"ACCOUNT": "0x" + randomHex(20), "KEY": randomCredential("purse-key"), "SECRET": randomCredential("purse-secret"), "WEBHOOK_KEY": randomCredential("purse-webhook-key")}
			},
			start: func(v Values) (FakeServer, func(int) string) {
				s := pursetest.NewServer(purseCredentials(v))
				return s, func(i int) string {
					return s.AddCustomer(purse.Customer{Email: fmt.Sprintf("subject-%d@example.com", i), ExternalID: fmt.Sprintf("subject-%d", i)}).ID
				}
			},
		},
	},
	{
		Name: walletplatform.Provider,
		Vars: []Var{
			{Name: "BASE_URL", Doc: "the wallet service root (required: SABI publishes no TLS host)"},
			{Name: "API_KEY", Doc: "the tenant API key", Secret: true},
			{Name: "TOKEN", Doc: "a bearer token; or USERNAME and PASS_ID to log in", Secret: true},
			{Name: "USERNAME", Doc: "the user that logs in"},
			{Name: "PASS_ID", Doc: "that user's pass ID", Secret: true},
			{Name: "USERS_URL", Doc: "optional; where the login lives, if not on the base URL's host"},
			{Name: "INSECURE_HTTP", Doc: "set to 1 to allow a plain http:// host that is not loopback"},
		},
		IDs:           "the account ID (its UUID): one path segment, no control characters",
		CheckTargetID: walletplatform.CheckTargetID,
		build: func(p Provider, v Values, opts []restrict.Option) (Client, error) {
			if err := p.require(v, "BASE_URL", "API_KEY"); err != nil {
				return nil, err
			}
			creds := walletplatform.Credentials{APIKey: restrict.Secret(v["API_KEY"]), Token: restrict.Secret(v["TOKEN"])}
			if creds.Token == "" {
				if err := p.require(v, "USERNAME", "PASS_ID"); err != nil {
					return nil, fmt.Errorf("%w (or set %s instead)", err, p.Env("TOKEN"))
				}
				creds.Username, creds.PassID = v["USERNAME"], restrict.Secret(v["PASS_ID"])
			}
			if u := v["USERS_URL"]; u != "" {
				opts = append(opts, walletplatform.WithUsersURL(u))
			}
			if v["INSECURE_HTTP"] == "1" {
				opts = append(opts, restrict.WithInsecureHTTP())
			}
			return walletplatform.New(creds, opts...)
		},
		FakeCredentials: Values{"API_KEY": string(walletplatformtest.APIKey), "USERNAME": walletplatformtest.Username, "PASS_ID": string(walletplatformtest.PassID)},
		fake: fakeKit{
			random: func() Values {
				return Values{"API_KEY": randomCredential("sabi-key"), "USERNAME": randomCredential("ops") + "@example.com", "PASS_ID": randomCredential("pass")}
			},
			start: func(v Values) (FakeServer, func(int) string) {
				s := walletplatformtest.NewServer(walletplatform.Credentials{APIKey: restrict.Secret(v["API_KEY"]), Token: restrict.Secret(v["TOKEN"]),
					Username: v["USERNAME"], PassID: restrict.Secret(v["PASS_ID"])})
				return s, func(int) string { id := randomUUID(); s.AddAccount(id); return id }
			},
			// SABI's docs put the login at the host's root; a mounted
			// fake has it under its own path.
			mounted: func(v Values, root string) { v["USERS_URL"] = root },
		},
	},
}

func cryptomusCredentials(v Values) cryptomus.Credentials {
	return cryptomus.Credentials{MerchantID: v["MERCHANT_ID"], PaymentKey: restrict.Secret(v["PAYMENT_KEY"])}
}

func purseCredentials(v Values) purse.Credentials {
	return purse.Credentials{Account: v["ACCOUNT"], Key: restrict.Secret(v["KEY"]), Secret: restrict.Secret(v["SECRET"])}
}

// Lookup returns the provider of that package name.
func Lookup(name string) (Provider, bool) {
	i := sort.Search(len(Providers), func(i int) bool { return Providers[i].Name >= name })
	if i < len(Providers) && Providers[i].Name == name {
		return Providers[i], true
	}
	return Provider{}, false
}

// Names lists the five package names, in order.
func Names() []string {
	out := make([]string, len(Providers))
	for i, p := range Providers {
		out[i] = p.Name
	}
	return out
}
