package purse

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/transport"
)

// Provider is this package's name in results, errors and logs.
const Provider = "purse"

// DefaultBaseURL is the host in Calypso's OpenAPI "servers". The newer copy
// of the same spec names https://api.calypso.money; pass that with
// restrict.WithBaseURL where your account lives there.
const DefaultBaseURL = "https://api.calypso.finance"

// Credentials are the merchant account and the API key pair that Calypso
// support issues.
type Credentials struct {
	// Account is the merchant account ID sent in every body as "account".
	Account string
	// Key is the public API key, sent in the Key header. It is kept as a
	// Secret all the same: with Account it identifies the merchant, and
	// there is no reason for it to appear in logs.
	Key restrict.Secret
	// Secret is the key of the HMAC-SHA512 request signature.
	Secret restrict.Secret
}

// Client calls the Calypso Pay Customer Purse API. It is safe for
// concurrent use; two clients with different credentials do not share
// anything.
type Client struct {
	tc      *transport.Client
	account string
	// accountJSON is account encoded as a JSON string, for every body.
	accountJSON []byte
	// macs sign requests with secret; a pointer, as Client is copied.
	macs *macPool
	// key and secret stay Secrets so that printing a Client with %+v
	// shows nothing to steal.
	key    restrict.Secret
	secret restrict.Secret
	// offset is added to the client's clock when dating a request, in
	// nanoseconds: the server's clock minus ours, learned from a rejected
	// timestamp (errorCode 011) and the server's Date header.
	offset *atomic.Int64 // a pointer, so that Client can be copied by Format
}

var _ restrict.Restrictor = (*Client)(nil)

// New returns a client for the merchant account in creds. It fails, without
// sending anything, when a credential is missing or an option is invalid.
func New(creds Credentials, opts ...restrict.Option) (*Client, error) {
	// The newer spec constrains account to ^0x[0-9a-fA-F]{40}$, but the
	// older host (api.calypso.finance, the default) documents no format,
	// and accounts issued there may not follow it: checking more than
	// a credential's rules could refuse a working account.
	for _, f := range []struct{ name, value string }{
		{"Account", creds.Account}, {"Key", string(creds.Key)}, {"Secret", string(creds.Secret)},
	} {
		if p := transport.CheckCredential(f.value); p != "" {
			return nil, restrict.NewFieldError(Provider, "New", f.name, p)
		}
	}
	acct, err := json.Marshal(creds.Account)
	if err != nil {
		return nil, restrict.NewFieldError(Provider, "New", "Account", "cannot be encoded as JSON")
	}
	c := &Client{account: creds.Account, accountJSON: acct, key: creds.Key, secret: creds.Secret,
		offset: new(atomic.Int64), macs: newMACPool(creds.Secret)}
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

// ClockOffset is the correction the client adds to its clock when dating a
// request: zero until the server rejects a timestamp and its Date header
// shows a skew of more than a minute.
func (c *Client) ClockOffset() time.Duration { return time.Duration(c.offset.Load()) }

// maxSkew is how far our clock may disagree with the server's Date before a
// rejected timestamp is blamed on it. Date has one-second resolution and
// the server allows three minutes, so one minute is well clear of noise.
const maxSkew = time.Minute

// learn compares the offset the server's Date implies with the one the
// rejected call was dated with. Only if they differ by more than maxSkew
// was our clock to blame, and only then is the new offset stored and a
// retry worth making. Comparing with the offset the call used, not the
// current one, lets concurrent calls rejected together all retry, whichever
// of them stored the offset first.
func (c *Client) learn(used, measured time.Duration) bool {
	if d := measured - used; d <= maxSkew && d >= -maxSkew {
		return false
	}
	c.offset.Store(int64(measured))
	return true
}

// Format prints the client as its provider and host, whatever the verb: the
// credentials it holds never reach a log or an error report.
func (c Client) Format(f fmt.State, verb rune) { c.tc.Format(f, verb) }

// LogValue keeps the client's credentials out of slog output.
func (c Client) LogValue() slog.Value { return c.tc.LogValue() }
