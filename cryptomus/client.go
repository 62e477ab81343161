package cryptomus

import (
	"fmt"
	"log/slog"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/transport"
)

// Provider is this package's name in results, errors and logs.
const Provider = "cryptomus"

// DefaultBaseURL is Cryptomus' API host, from its request-format page.
const DefaultBaseURL = "https://api.cryptomus.com"

// Credentials identify a merchant to Cryptomus. They print with the key
// masked under every fmt verb, in slog and in JSON.
type Credentials struct {
	// MerchantID is the merchant's UUID, sent in the merchant header. It
	// identifies the merchant and is not a secret.
	MerchantID string
	// PaymentKey is the merchant's payment API key. It signs every request
	// (static wallets, block and refund all use the payment key, not the
	// payout key) and, given to VerifyWebhook, verifies payment and wallet
	// webhooks.
	PaymentKey restrict.Secret
}

// check refuses credentials that could not travel in a header, naming the
// field.
func (c Credentials) check() error {
	if p := transport.CheckCredential(c.MerchantID); p != "" {
		return restrict.NewFieldError(Provider, "New", "MerchantID", p)
	}
	if p := transport.CheckCredential(string(c.PaymentKey)); p != "" {
		return restrict.NewFieldError(Provider, "New", "PaymentKey", p)
	}
	return nil
}

// Client calls the Cryptomus merchant API. It is safe for concurrent use,
// and two clients with different credentials work side by side.
type Client struct {
	tc *transport.Client
}

var (
	_ restrict.Restrictor = (*Client)(nil)
	_ restrict.Checker    = (*Client)(nil)
)

// New returns a client for the merchant in creds. It fails, with an error
// matching restrict.ErrInvalidRequest, when a credential is missing or
// could not travel in an HTTP header, or an option is invalid, rather than
// returning a client that fails later. Cryptomus has no options of its
// own; the root package's apply.
func New(creds Credentials, opts ...restrict.Option) (*Client, error) {
	if err := creds.check(); err != nil {
		return nil, err
	}
	tc, err := transport.New(transport.Config{
		Provider:       Provider,
		DefaultBaseURL: DefaultBaseURL,
		Signer:         signer{merchantID: creds.MerchantID, key: creds.PaymentKey},
		Decode:         decode,
		Secrets:        transport.NewSecrets(string(creds.PaymentKey)),
		SecretHeaders:  []string{"sign"},
	}, opts)
	if err != nil {
		return nil, err
	}
	return &Client{tc: tc}, nil
}

// Format prints the client as its provider and host, whatever the verb: the
// credentials it holds never reach a log or an error report.
func (c Client) Format(f fmt.State, verb rune) { c.tc.Format(f, verb) }

// LogValue keeps the client's credentials out of slog output.
func (c Client) LogValue() slog.Value { return c.tc.LogValue() }
