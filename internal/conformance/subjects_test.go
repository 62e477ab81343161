package conformance_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/cryptomus"
	"github.com/restrictkit/restrict/cryptomus/cryptomustest"
	"github.com/restrictkit/restrict/customerv2"
	"github.com/restrictkit/restrict/internal/fleet"
	"github.com/restrictkit/restrict/kpayment"
	"github.com/restrictkit/restrict/purse"
	"github.com/restrictkit/restrict/purse/pursetest"
	"github.com/restrictkit/restrict/restricttest"
	"github.com/restrictkit/restrict/walletplatform"
)

// faulty is what every provider fake offers through restricttest.Faults.
type faulty interface {
	Inject(...restricttest.Fault)
	Requests() int
}

// env is one provider's fake, started, with one target it knows.
type env struct {
	fake    faulty
	target  restrict.Target
	success string   // the provider's success body for Restrict of target
	lifted  string   // its success body for Lift, where it has one
	secrets []string // every credential value the client is given
	// newClient builds the provider's client against the fake; opts come
	// after the base URL, so a test may add retry policy, logger, client.
	newClient func(opts ...restrict.Option) (restrict.Restrictor, error)
	// once is a call that must never be sent twice (a refund, a create),
	// or nil where the provider has none.
	once func(ctx context.Context, opts ...restrict.Option) error
	// bad are native calls with bad input, each naming the field that is
	// wrong.
	bad []badCall
	// unknown is a well-formed target the fake does not have, which the
	// provider answers with its documented "not found"; zero where the
	// provider documents none.
	unknown restrict.Target
	// credentials build a client with one credential field set to value,
	// one entry per field.
	credentials []credential
}

type credential struct {
	field string
	with  func(value string) error
}

type badCall struct {
	name  string
	field string
	call  func(ctx context.Context, opts ...restrict.Option) error
}

type subject struct {
	name  string
	lift  bool
	start func(t *testing.T) *env
}

func with(base string, opts []restrict.Option) []restrict.Option {
	return append([]restrict.Option{restrict.WithBaseURL(base)}, opts...)
}

// suite is the suite's own part of each provider: whether it lifts, and
// how to start its env (its native calls, bad input and credentials).
// TestSuiteCoversTheFleet fails for a provider of internal/fleet that is
// missing here.
var suite = map[string]subject{
	cryptomus.Provider:      {start: startCryptomus},
	customerv2.Provider:     {start: startCustomerV2},
	kpayment.Provider:       {start: startKPayment},
	purse.Provider:          {lift: true, start: startPurse},
	walletplatform.Provider: {lift: true, start: startWalletPlatform},
}

// subjects are the providers of the fleet that the suite knows, in the
// fleet's order.
var subjects = func() []subject {
	var out []subject
	for _, p := range fleet.Providers {
		if s, ok := suite[p.Name]; ok {
			s.name = p.Name
			out = append(out, s)
		}
	}
	return out
}()

// startFake starts the fleet's fake of provider name, accepting creds,
// closed when t ends.
func startFake(t *testing.T, name string, creds fleet.Values) *fleet.Fake {
	t.Helper()
	p, ok := fleet.Lookup(name)
	require.True(t, ok, name)
	f := p.StartFake(creds)
	t.Cleanup(f.Close)
	return f
}

// The credentials hold characters that JSON, HTML and URL encodings change,
// so the secret checks see every form a server might echo.
const (
	cryptomusMerchant = "8b03432e-385b-4670-8d06-064591096795"
	cryptomusKey      = "conformance&payment<key>/6f1e2d"
)

func startCryptomus(t *testing.T) *env {
	creds := cryptomus.Credentials{MerchantID: cryptomusMerchant, PaymentKey: cryptomusKey}
	srv := startFake(t, cryptomus.Provider, fleet.Values{"MERCHANT_ID": cryptomusMerchant, "PAYMENT_KEY": cryptomusKey}).Server.(*cryptomustest.Server)
	w := srv.AddWallet(cryptomustest.Wallet{OrderID: "order-17", Balance: "10.00", Commission: "0.50"})
	client := func(opts []restrict.Option) (*cryptomus.Client, error) {
		return cryptomus.New(creds, with(srv.BaseURL(), opts)...)
	}
	call := func(f func(context.Context, *cryptomus.Client) error) func(context.Context, ...restrict.Option) error {
		return func(ctx context.Context, opts ...restrict.Option) error {
			c, err := client(opts)
			require.NoError(t, err)
			return f(ctx, c)
		}
	}
	block := func(r cryptomus.BlockAddressRequest) func(context.Context, *cryptomus.Client) error {
		return func(ctx context.Context, c *cryptomus.Client) error { _, err := c.BlockAddress(ctx, r); return err }
	}
	refund := func(r cryptomus.RefundBlockedAddressRequest) func(context.Context, *cryptomus.Client) error {
		return func(ctx context.Context, c *cryptomus.Client) error {
			_, err := c.RefundBlockedAddress(ctx, r)
			return err
		}
	}
	create := func(r cryptomus.CreateStaticWalletRequest) func(context.Context, *cryptomus.Client) error {
		return func(ctx context.Context, c *cryptomus.Client) error {
			_, err := c.CreateStaticWallet(ctx, r)
			return err
		}
	}
	const addr = "TXYZabcdefghijklmnop"
	return &env{
		fake:    srv,
		target:  restrict.Target{ID: w.UUID, Reason: "fraud ring 2026-11"},
		success: `{"state":0,"result":{"uuid":"` + w.UUID + `","status":"blocked"}}`,
		secrets: []string{cryptomusKey},
		newClient: func(opts ...restrict.Option) (restrict.Restrictor, error) {
			return client(opts)
		},
		once:    call(refund(cryptomus.RefundBlockedAddressRequest{UUID: w.UUID, Address: addr})),
		unknown: restrict.Target{ID: "00000000-0000-4000-8000-000000000000"},
		credentials: []credential{
			{"MerchantID", func(v string) error {
				_, err := cryptomus.New(cryptomus.Credentials{MerchantID: v, PaymentKey: cryptomusKey})
				return err
			}},
			{"PaymentKey", func(v string) error {
				_, err := cryptomus.New(cryptomus.Credentials{MerchantID: cryptomusMerchant, PaymentKey: restrict.Secret(v)})
				return err
			}},
		},
		bad: []badCall{
			{"no identifier", "uuid", call(block(cryptomus.BlockAddressRequest{}))},
			{"both identifiers", "uuid", call(block(cryptomus.BlockAddressRequest{UUID: w.UUID, OrderID: "order-17"}))},
			{"uuid not a UUID", "uuid", call(block(cryptomus.BlockAddressRequest{UUID: "not-a-uuid"}))},
			{"order_id too long", "order_id", call(block(cryptomus.BlockAddressRequest{OrderID: "o123456789012345678901234567890123"}))},
			{"order_id path", "order_id", call(block(cryptomus.BlockAddressRequest{OrderID: "../admin"}))},
			{"order_id spaces", "order_id", call(block(cryptomus.BlockAddressRequest{OrderID: "order 17"}))},
			{"refund address short", "address", call(refund(cryptomus.RefundBlockedAddressRequest{UUID: w.UUID, Address: "T123"}))},
			{"refund address chars", "address", call(refund(cryptomus.RefundBlockedAddressRequest{UUID: w.UUID, Address: "TXYZ/abcdefghijk"}))},
			{"refund no identifier", "uuid", call(refund(cryptomus.RefundBlockedAddressRequest{Address: addr}))},
			{"wallet without currency", "currency", call(create(cryptomus.CreateStaticWalletRequest{Network: "tron", OrderID: "o-1"}))},
		},
	}
}

// kunaKey is the KunaCore API key of the conformance run.
const kunaKey = "kuna&api<key>/0b7c2e"

func startCustomerV2(t *testing.T) *env {
	f := startFake(t, customerv2.Provider, fleet.Values{"API_KEY": kunaKey})
	srv, custID := f.Server, f.Seed(1)
	client := func(opts []restrict.Option) (*customerv2.Client, error) {
		return customerv2.New(customerv2.Credentials{APIKey: kunaKey}, with(srv.BaseURL(), opts)...)
	}
	call := func(f func(context.Context, *customerv2.Client) error) func(context.Context, ...restrict.Option) error {
		return func(ctx context.Context, opts ...restrict.Option) error {
			c, err := client(opts)
			require.NoError(t, err)
			return f(ctx, c)
		}
	}
	create := func(r customerv2.CreateCustomerRequest) func(context.Context, *customerv2.Client) error {
		return func(ctx context.Context, c *customerv2.Client) error { _, err := c.CreateCustomer(ctx, r); return err }
	}
	valid := customerv2.CreateCustomerRequest{Email: "new@example.com", FirstName: "Olena", LastName: "Koval", Country: "UA",
		VerificationDocumentID: "passport-1", ResidenceAddress: "Kyiv"}
	badCountry := valid
	badCountry.Country = "Ukraine"
	noEmail := valid
	noEmail.Email = ""
	return &env{
		fake:    srv,
		target:  restrict.Target{ID: custID, Reason: "court order"},
		success: `{"data":{"success":true}}`,
		secrets: []string{kunaKey},
		newClient: func(opts ...restrict.Option) (restrict.Restrictor, error) {
			return client(opts)
		},
		once:    call(create(valid)),
		unknown: restrict.Target{ID: "00000000-0000-4000-8000-000000000000"},
		credentials: []credential{
			{"APIKey", func(v string) error {
				_, err := customerv2.New(customerv2.Credentials{APIKey: restrict.Secret(v)}, restrict.WithBaseURL(srv.BaseURL()))
				return err
			}},
			{"MerchantID", func(v string) error {
				_, err := customerv2.New(customerv2.Credentials{MerchantID: v, Email: "ops@example.com", Password: "pw-123456"}, restrict.WithBaseURL(srv.BaseURL()))
				return err
			}},
			{"Email", func(v string) error {
				_, err := customerv2.New(customerv2.Credentials{MerchantID: "m-1", Email: v, Password: "pw-123456"}, restrict.WithBaseURL(srv.BaseURL()))
				return err
			}},
			{"Password", func(v string) error {
				_, err := customerv2.New(customerv2.Credentials{MerchantID: "m-1", Email: "ops@example.com", Password: restrict.Secret(v)}, restrict.WithBaseURL(srv.BaseURL()))
				return err
			}},
		},
		bad: []badCall{
			{"suspend empty id", "id", call(func(ctx context.Context, c *customerv2.Client) error {
				_, err := c.Suspend(ctx, customerv2.SuspendRequest{})
				return err
			})},
			{"suspend id not a UUID", "id", call(func(ctx context.Context, c *customerv2.Client) error {
				_, err := c.Suspend(ctx, customerv2.SuspendRequest{ID: "../admin"})
				return err
			})},
			{"details empty id", "id", call(func(ctx context.Context, c *customerv2.Client) error {
				_, err := c.CustomerDetails(ctx, customerv2.CustomerDetailsRequest{})
				return err
			})},
			{"update id not a UUID", "id", call(func(ctx context.Context, c *customerv2.Client) error {
				_, err := c.UpdateCustomer(ctx, customerv2.UpdateCustomerRequest{ID: "customer-1", FirstName: restrict.Ptr("Olena")})
				return err
			})},
			{"create bad country", "country", call(create(badCountry))},
			{"create no email", "email", call(create(noEmail))},
			{"find negative take", "take", call(func(ctx context.Context, c *customerv2.Client) error {
				_, err := c.FindCustomers(ctx, customerv2.FindCustomersRequest{Take: -1})
				return err
			})},
		},
	}
}

const (
	kaarmaUser     = "service-subscriber"
	kaarmaPassword = `Tr0ub4dor&3<horse>/"kaarma'`
)

func startKPayment(t *testing.T) *env {
	creds := kpayment.Credentials{Username: kaarmaUser, Password: kaarmaPassword}
	f := startFake(t, kpayment.Provider, fleet.Values{"USERNAME": kaarmaUser, "PASSWORD": kaarmaPassword})
	srv := f.Server
	client := func(opts []restrict.Option) (*kpayment.Client, error) {
		return kpayment.New(creds, with(srv.BaseURL(), opts)...)
	}
	block := func(id string, r kpayment.BlockCustomerRequest) func(context.Context, ...restrict.Option) error {
		return func(ctx context.Context, opts ...restrict.Option) error {
			c, err := client(opts)
			require.NoError(t, err)
			_, err = c.BlockCustomer(ctx, id, r)
			return err
		}
	}
	id := f.Seed(1)
	return &env{
		fake:    srv,
		target:  restrict.Target{ID: id, Reason: "chargeback fraud"},
		success: `{}`,
		// The Basic credential travels as base64 of user:password.
		secrets: []string{kaarmaPassword, base64.StdEncoding.EncodeToString([]byte(kaarmaUser + ":" + kaarmaPassword))},
		credentials: []credential{
			{"Username", func(v string) error {
				_, err := kpayment.New(kpayment.Credentials{Username: v, Password: kaarmaPassword})
				return err
			}},
			{"Password", func(v string) error {
				_, err := kpayment.New(kpayment.Credentials{Username: kaarmaUser, Password: restrict.Secret(v)})
				return err
			}},
			{"Token", func(v string) error {
				_, err := kpayment.New(kpayment.Credentials{Token: restrict.Secret(v)})
				return err
			}},
		},
		newClient: func(opts ...restrict.Option) (restrict.Restrictor, error) {
			return client(opts)
		},
		bad: []badCall{
			{"empty uuid", "customerUuid", block("", kpayment.BlockCustomerRequest{})},
			{"dot-dot path", "customerUuid", block("../admin", kpayment.BlockCustomerRequest{})},
			{"slash", "customerUuid", block("a/b", kpayment.BlockCustomerRequest{})},
			{"control character", "customerUuid", block("a\nb", kpayment.BlockCustomerRequest{})},
			{"card digits", "ccLastFour", block(id, kpayment.BlockCustomerRequest{CCLastFour: "12a4"})},
			{"card length", "ccLastFour", block(id, kpayment.BlockCustomerRequest{CCLastFour: "12345"})},
		},
	}
}

var calypso = purse.Credentials{
	Account: "0x1111111111111111111111111111111111111111",
	Key:     "calypso<public>&key-7a7a",
	Secret:  "b823a6b9\"ea72408583cef9ec8d67fa52/",
}

func startPurse(t *testing.T) *env {
	srv := startFake(t, purse.Provider, fleet.Values{"ACCOUNT": calypso.Account, "KEY": string(calypso.Key), "SECRET": string(calypso.Secret)}).Server.(*pursetest.Server)
	cust := srv.AddCustomer(purse.Customer{Email: "suspect@example.com"})
	client := func(opts []restrict.Option) (*purse.Client, error) {
		return purse.New(calypso, with(srv.BaseURL(), opts)...)
	}
	call := func(f func(context.Context, *purse.Client) error) func(context.Context, ...restrict.Option) error {
		return func(ctx context.Context, opts ...restrict.Option) error {
			c, err := client(opts)
			require.NoError(t, err)
			return f(ctx, c)
		}
	}
	customer := func(f func(context.Context, *purse.Client) (*purse.Customer, error)) func(context.Context, ...restrict.Option) error {
		return call(func(ctx context.Context, c *purse.Client) error { _, err := f(ctx, c); return err })
	}
	find := func(r purse.FindTransactionsRequest) func(context.Context, ...restrict.Option) error {
		return call(func(ctx context.Context, c *purse.Client) error { _, err := c.FindTransactions(ctx, r); return err })
	}
	withCreds := func(change func(*purse.Credentials, string)) func(string) error {
		return func(v string) error {
			cr := calypso
			change(&cr, v)
			_, err := purse.New(cr)
			return err
		}
	}
	return &env{
		fake:    srv,
		target:  restrict.Target{ID: cust.ID, Reason: "sanctions hit"},
		success: `{"id":"` + cust.ID + `","email":"suspect@example.com","description":"","externalId":"","blocked":true}`,
		lifted:  `{"id":"` + cust.ID + `","email":"suspect@example.com","description":"","externalId":"","blocked":false}`,
		secrets: []string{string(calypso.Key), string(calypso.Secret)},
		unknown: restrict.Target{ID: "00000000-0000-4000-8000-000000000000"},
		credentials: []credential{
			{"Account", withCreds(func(cr *purse.Credentials, v string) { cr.Account = v })},
			{"Key", withCreds(func(cr *purse.Credentials, v string) { cr.Key = restrict.Secret(v) })},
			{"Secret", withCreds(func(cr *purse.Credentials, v string) { cr.Secret = restrict.Secret(v) })},
		},
		newClient: func(opts ...restrict.Option) (restrict.Restrictor, error) {
			return client(opts)
		},
		once: call(func(ctx context.Context, c *purse.Client) error {
			_, err := c.CreateCustomer(ctx, purse.CreateCustomerRequest{Email: "new@example.com"})
			return err
		}),
		bad: []badCall{
			{"block empty id", "customerId", customer(func(ctx context.Context, c *purse.Client) (*purse.Customer, error) {
				return c.BlockCustomer(ctx, purse.BlockCustomerRequest{})
			})},
			{"unblock empty id", "customerId", customer(func(ctx context.Context, c *purse.Client) (*purse.Customer, error) {
				return c.UnblockCustomer(ctx, purse.UnblockCustomerRequest{})
			})},
			{"get empty id", "customerId", customer(func(ctx context.Context, c *purse.Client) (*purse.Customer, error) {
				return c.GetCustomer(ctx, purse.GetCustomerRequest{})
			})},
			{"get id not a UUID", "customerId", customer(func(ctx context.Context, c *purse.Client) (*purse.Customer, error) {
				return c.GetCustomer(ctx, purse.GetCustomerRequest{CustomerID: "../customer/block"})
			})},
			{"external empty id", "externalId", customer(func(ctx context.Context, c *purse.Client) (*purse.Customer, error) {
				return c.GetCustomerByExternalID(ctx, purse.GetCustomerByExternalIDRequest{})
			})},
			{"page size too big", "pageSize", find(purse.FindTransactionsRequest{PageSize: purse.MaxPageSize + 1})},
			{"page size negative", "pageSize", find(purse.FindTransactionsRequest{PageSize: -1})},
			{"page number negative", "pageNumber", find(purse.FindTransactionsRequest{PageNumber: -1})},
		},
	}
}

// SABI's key and token travel in headers, so they hold no white space;
// their other characters change under JSON, HTML and URL encodings.
const (
	sabiAPIKey = `sabi<tenant>&key/"6987f1c0"`
	sabiToken  = `sabi<static>&token/"0f4e"+9c2`
)

func startWalletPlatform(t *testing.T) *env {
	creds := walletplatform.Credentials{APIKey: sabiAPIKey, Token: sabiToken}
	f := startFake(t, walletplatform.Provider, fleet.Values{"API_KEY": sabiAPIKey, "TOKEN": sabiToken})
	srv, accountID := f.Server, f.Seed(1)
	client := func(opts []restrict.Option) (*walletplatform.Client, error) {
		return walletplatform.New(creds, with(srv.BaseURL(), opts)...)
	}
	call := func(f func(context.Context, *walletplatform.Client) error) func(context.Context, ...restrict.Option) error {
		return func(ctx context.Context, opts ...restrict.Option) error {
			c, err := client(opts)
			require.NoError(t, err)
			return f(ctx, c)
		}
	}
	return &env{
		fake:    srv,
		target:  restrict.Target{ID: accountID, Reason: "AML review"},
		success: `{"status":true,"statusCode":0,"message":"Account freeze successful","data":{},"errors":[]}`,
		lifted:  `{"status":true,"statusCode":0,"message":"Account unfreeze successful","data":{},"errors":[]}`,
		secrets: []string{sabiAPIKey, sabiToken},
		unknown: restrict.Target{ID: "acc-not-there"},
		credentials: []credential{
			{"APIKey", func(v string) error {
				_, err := walletplatform.New(walletplatform.Credentials{APIKey: restrict.Secret(v), Token: sabiToken}, restrict.WithBaseURL(srv.BaseURL()))
				return err
			}},
			{"Token", func(v string) error {
				_, err := walletplatform.New(walletplatform.Credentials{APIKey: sabiAPIKey, Token: restrict.Secret(v)}, restrict.WithBaseURL(srv.BaseURL()))
				return err
			}},
			{"Username", func(v string) error {
				_, err := walletplatform.New(walletplatform.Credentials{APIKey: sabiAPIKey, Username: v, PassID: "pass-1234"}, restrict.WithBaseURL(srv.BaseURL()))
				return err
			}},
			{"PassID", func(v string) error {
				_, err := walletplatform.New(walletplatform.Credentials{APIKey: sabiAPIKey, Username: "ops@example.com", PassID: restrict.Secret(v)}, restrict.WithBaseURL(srv.BaseURL()))
				return err
			}},
		},
		newClient: func(opts ...restrict.Option) (restrict.Restrictor, error) {
			return client(opts)
		},
		bad: []badCall{
			{"freeze empty id", "accountId", call(func(ctx context.Context, c *walletplatform.Client) error {
				_, err := c.FreezeAccount(ctx, walletplatform.FreezeAccountRequest{})
				return err
			})},
			{"unfreeze empty id", "accountId", call(func(ctx context.Context, c *walletplatform.Client) error {
				_, err := c.UnfreezeAccount(ctx, walletplatform.UnfreezeAccountRequest{AccountID: " "})
				return err
			})},
			{"freeze control character", "accountId", call(func(ctx context.Context, c *walletplatform.Client) error {
				_, err := c.FreezeAccount(ctx, walletplatform.FreezeAccountRequest{AccountID: "acc\n1"})
				return err
			})},
			{"get empty uuid", "accountUuid", call(func(ctx context.Context, c *walletplatform.Client) error { _, err := c.GetAccount(ctx, ""); return err })},
			{"get path", "accountUuid", call(func(ctx context.Context, c *walletplatform.Client) error {
				_, err := c.GetAccount(ctx, "../users")
				return err
			})},
		},
	}
}

// recordingTransport keeps the value of every credential-bearing header
// the client sends, so tests can check none of them surfaces anywhere.
type recordingTransport struct {
	base http.RoundTripper
	seen chan string
}

var secretHeaders = []string{"sign", "Sign", "Key", "Authorization", "api-key", "apiKey"}

func (rt *recordingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	for _, h := range secretHeaders {
		if v := r.Header.Get(h); v != "" {
			select {
			case rt.seen <- v:
			default:
			}
		}
	}
	return rt.base.RoundTrip(r)
}
