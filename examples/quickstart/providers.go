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
	"github.com/restrictkit/restrict/internal/fleet"
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

// realProvider builds the provider's client for its real API when any of
// its RESTRICT_<PROVIDER>_* variables is set (internal/fleet reads them, as
// cmd/restrict does), with RESTRICT_<PROVIDER>_TARGET as the target. Once
// one is set, every required one must be: the error names all that are
// missing, rather than falling back to the fake.
func realProvider(name string, getenv func(string) string, logger *slog.Logger) (*provider, error) {
	p, _ := fleet.Lookup(name)
	v, set := p.Read(getenv)
	target := strings.TrimSpace(getenv(p.Env("TARGET")))
	if !set && target == "" {
		return nil, nil
	}
	var problems []string
	if target == "" {
		problems = append(problems, p.Env("TARGET")+" is not set")
	}
	c, err := p.New(v, restrict.WithLogger(logger))
	if err != nil {
		problems = append(problems, err.Error())
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%w: some %s* variables are set, so the real API is used, but: %s",
			errConfig, fleet.Prefix(name), strings.Join(problems, "; "))
	}
	return &provider{name: name, client: c, target: target, where: host(v["BASE_URL"], p.DefaultBaseURL), close: noClose}, nil
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

func noClose() {}

func setupCryptomus(ctx context.Context, getenv func(string) string, logger *slog.Logger) (*provider, error) {
	if real, err := realProvider(cryptomus.Provider, getenv, logger); real != nil || err != nil {
		return real, err
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
	if real, err := realProvider(customerv2.Provider, getenv, logger); real != nil || err != nil {
		return real, err
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
	if real, err := realProvider(kpayment.Provider, getenv, logger); real != nil || err != nil {
		return real, err
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
	if real, err := realProvider(purse.Provider, getenv, logger); real != nil || err != nil {
		return real, err
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
	if real, err := realProvider(walletplatform.Provider, getenv, logger); real != nil || err != nil {
		return real, err
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
