package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
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
		return &provider{name: cryptomus.Provider, client: c, target: env.get("TARGET"), where: host(env.get("BASE_URL"), cryptomus.DefaultBaseURL), close: noClose}, nil
	}

	creds := cryptomus.Credentials{MerchantID: fakeCryptomusMerchant, PaymentKey: fakeCryptomusKey}
	srv := cryptomustest.NewServer(creds)
	c, err := cryptomus.New(creds, restrict.WithBaseURL(srv.BaseURL()), restrict.WithLogger(logger))
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
	return &provider{name: cryptomus.Provider, client: c, target: w.UUID, where: "fake", close: srv.Close}, nil
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
		return &provider{name: customerv2.Provider, client: c, target: env.get("TARGET"), where: host(env.get("BASE_URL"), ""), close: noClose}, nil
	}

	creds := customerv2.Credentials{APIKey: customerv2test.APIKey}
	srv := customerv2test.NewServer(creds)
	c, err := customerv2.New(creds, restrict.WithBaseURL(srv.BaseURL()), restrict.WithLogger(logger))
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
	return &provider{name: customerv2.Provider, client: c, target: cust.ID, where: "fake", close: srv.Close}, nil
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
		return &provider{name: kpayment.Provider, client: c, target: env.get("TARGET"), where: host(env.get("BASE_URL"), kpayment.DefaultBaseURL), close: noClose}, nil
	}

	creds := kpayment.Credentials{Username: fakeKPaymentUser, Password: fakeKPaymentPassword}
	srv := kpaymenttest.NewServer(creds)
	c, err := kpayment.New(creds, restrict.WithBaseURL(srv.BaseURL()), restrict.WithLogger(logger))
	if err != nil {
		srv.Close()
		return nil, err
	}
	// myKaarma's Payments API creates no customers; its customer UUIDs come
	// from the dealership system, so the fake is given one.
	cust := srv.AddCustomer(kpaymenttest.Customer{})
	return &provider{name: kpayment.Provider, client: c, target: cust.UUID, where: "fake", close: srv.Close}, nil
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
		return &provider{name: purse.Provider, client: c, target: env.get("TARGET"), where: host(env.get("BASE_URL"), purse.DefaultBaseURL), close: noClose}, nil
	}

	creds := purse.Credentials{Account: fakePurseAccount, Key: fakePurseKey, Secret: fakePurseSecret}
	srv := pursetest.NewServer(creds)
	c, err := purse.New(creds, restrict.WithBaseURL(srv.BaseURL()), restrict.WithLogger(logger))
	if err != nil {
		srv.Close()
		return nil, err
	}
	cust, err := c.CreateCustomer(ctx, purse.CreateCustomerRequest{Email: "quickstart@example.com", ExternalID: "quickstart-" + randomHex(4)})
	if err != nil {
		srv.Close()
		return nil, fmt.Errorf("purse: creating a customer at the fake: %w", err)
	}
	return &provider{name: purse.Provider, client: c, target: cust.ID, where: "fake", close: srv.Close}, nil
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
		return &provider{name: walletplatform.Provider, client: c, target: env.get("TARGET"), where: host(env.get("BASE_URL"), ""), close: noClose}, nil
	}

	creds := walletplatform.Credentials{APIKey: walletplatformtest.APIKey, Username: walletplatformtest.Username, PassID: walletplatformtest.PassID}
	srv := walletplatformtest.NewServer(creds)
	c, err := walletplatform.New(creds, restrict.WithBaseURL(srv.BaseURL()), restrict.WithLogger(logger))
	if err != nil {
		srv.Close()
		return nil, err
	}
	// The platform's API documents no way to open an account, so the fake
	// is seeded with one.
	id := randomUUID()
	srv.AddAccount(id)
	return &provider{name: walletplatform.Provider, client: c, target: id, where: "fake", close: srv.Close}, nil
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
