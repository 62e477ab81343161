package purse

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"sync/atomic"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/transport"
)

// Provider is this package's name in results, errors and logs.
const Provider = "purse"

// DefaultBaseURL is the host in Calypso's OpenAPI "servers". The newer copy
// of the same spec names https://api.calypso.money; pass that with
// restrict.WithBaseURL where your account lives there.
const DefaultBaseURL = "https://api.calypso.finance"

// basePath is the path every Customer Purse endpoint sits under.
const basePath = "/api/v1/customer-purse"

// Credentials are the merchant account and the API key pair that Calypso
// support issues.
type Credentials struct {
	// Account is the merchant account ID sent in every body as "account".
	// It names the merchant but grants nothing without the key pair, so
	// it is an identifier rather than a Secret.
	Account string
	// Key is the public API key, sent in the Key header. It is kept as a
	// Secret all the same: with Account it identifies the merchant, and
	// there is no reason for it to appear in logs.
	Key restrict.Secret
	// Secret is the key of the HMAC-SHA512 request signature.
	Secret restrict.Secret
}

// check refuses a credential that could not work, naming the field.
// The newer spec constrains account to ^0x[0-9a-fA-F]{40}$, but the older
// host (api.calypso.finance, the default) documents no format, and
// accounts issued there may not follow it: only a credential's rules are
// checked, so a working account is never refused.
func (cr Credentials) check() error {
	for _, f := range []struct{ name, value string }{
		{"Account", cr.Account}, {"Key", string(cr.Key)}, {"Secret", string(cr.Secret)},
	} {
		if p := transport.CheckCredential(f.value); p != "" {
			return restrict.NewFieldError(Provider, "New", f.name, p)
		}
	}
	return nil
}

// Client calls the Calypso Pay Customer Purse API. It is safe for
// concurrent use; two clients with different credentials share nothing.
type Client struct {
	tc *transport.Client
	// accountJSON is the account encoded as a JSON string, once, for the
	// envelope of every request.
	accountJSON []byte
	// key and secret stay Secrets so that printing a Client with %+v
	// shows nothing to steal.
	key    restrict.Secret
	secret restrict.Secret
	// offset is added to the client's clock when dating a request, in
	// nanoseconds: the server's clock minus ours, learned from a rejected
	// timestamp (errorCode 011) and the server's Date header. A pointer,
	// so that Format and LogValue may take the Client by value.
	offset *atomic.Int64
}

var (
	_ restrict.Restrictor = (*Client)(nil)
	_ restrict.Checker    = (*Client)(nil)
)

// New returns a client for the merchant account in creds. It fails, without
// sending anything, when a credential is missing or malformed or an option
// is invalid.
func New(creds Credentials, opts ...restrict.Option) (*Client, error) {
	if err := creds.check(); err != nil {
		return nil, err
	}
	account, _ := json.Marshal(creds.Account) // a string always encodes
	c := &Client{accountJSON: account, key: creds.Key, secret: creds.Secret, offset: new(atomic.Int64)}
	tc, err := transport.New(transport.Config{
		Provider:       Provider,
		DefaultBaseURL: DefaultBaseURL,
		Signer:         signer{c},
		Decode:         c.decode,
		Secrets:        transport.NewSecrets(string(creds.Key), string(creds.Secret)),
		SecretHeaders:  []string{"Sign"},
	}, opts)
	if err != nil {
		return nil, err
	}
	c.tc = tc
	return c, nil
}

// checkField refuses a value the caller gave for a payload field before
// anything is sent; check is transport.CheckID, or transport.CheckUUID for
// the IDs Calypso documents as UUIDs. field is the wire name.
func checkField(operation, field, value string, check func(string) string) error {
	if p := check(value); p != "" {
		return restrict.NewFieldError(Provider, operation, field, p)
	}
	return nil
}

// Format prints the client as its provider and host, whatever the verb: the
// credentials it holds never reach a log or an error report.
func (c Client) Format(f fmt.State, verb rune) { c.tc.Format(f, verb) }

// LogValue keeps the client's credentials out of slog output.
func (c Client) LogValue() slog.Value { return c.tc.LogValue() }
