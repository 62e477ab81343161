package customerv2

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/transport"
)

// Provider is this package's name, as it appears in results, errors and logs.
const Provider = "customerv2"

// Credentials authenticate a client to KunaCore. Give exactly one kind:
// APIKey alone, or MerchantID, Email and Password together for login mode.
// The secrets print as [REDACTED] under fmt, slog and JSON.
type Credentials struct {
	// APIKey is sent as the api-key header on every call.
	APIKey restrict.Secret
	// MerchantID is sent as the merchant_id header on the login call only.
	MerchantID string
	// Email is the merchant user's login email.
	Email string
	// Password is the merchant user's login password.
	Password restrict.Secret
}

// loginMode reports whether the credentials ask for login mode: any of
// the login fields is given.
func (c Credentials) loginMode() bool {
	return c.MerchantID != "" || c.Email != "" || c.Password != ""
}

// check refuses credentials of both kinds, of neither, or with a field
// that could not travel in an HTTP header, naming the field.
func (c Credentials) check() error {
	field := func(name, problem string) error { return restrict.NewFieldError(Provider, "New", name, problem) }
	switch {
	case c.APIKey != "" && c.loginMode():
		return field("APIKey", "cannot be combined with MerchantID, Email and Password: give one kind of credentials")
	case c.APIKey != "":
		if p := transport.CheckCredential(string(c.APIKey)); p != "" {
			return field("APIKey", p)
		}
		return nil
	case !c.loginMode():
		return field("APIKey", "is required, or MerchantID, Email and Password for login")
	}
	for _, f := range []struct{ name, value string }{
		{"MerchantID", c.MerchantID},
		{"Email", c.Email},
		{"Password", string(c.Password)},
	} {
		if p := transport.CheckCredential(f.value); p != "" {
			return field(f.name, p+" (login mode needs MerchantID, Email and Password)")
		}
	}
	return nil
}

// Client calls the KunaCore customer API v2. It is safe for concurrent use;
// in login mode all callers share one cached JWT and one login at a time.
type Client struct {
	tc    *transport.Client
	creds Credentials
}

var (
	_ restrict.Restrictor = (*Client)(nil)
	_ restrict.Checker    = (*Client)(nil)
)

// New returns a client for KunaCore. KunaCore publishes no host of its own,
// so restrict.WithBaseURL is required. Credentials choose the auth mode:
// an APIKey, or MerchantID, Email and Password to log in for a JWT.
func New(creds Credentials, opts ...restrict.Option) (*Client, error) {
	if err := creds.check(); err != nil {
		return nil, err
	}
	c := &Client{creds: creds}
	secrets := transport.NewSecrets(string(creds.APIKey), string(creds.Password))
	var signer transport.Signer = apiKeySigner(creds.APIKey)
	if creds.APIKey == "" {
		signer = transport.NewTokenAuth(c.login, func() time.Time { return c.tc.Now() }, nil, secrets)
	}
	tc, err := transport.New(transport.Config{
		Provider:       Provider,
		MissingBaseURL: "KunaCore publishes no base URL (its docs write only BASE_URL): pass restrict.WithBaseURL with the host KunaCore gave you",
		Signer:         signer,
		Decode:         decode,
		Secrets:        secrets,
		SecretHeaders:  []string{headerAPIKey, "Authorization"},
	}, opts)
	if err != nil {
		return nil, err
	}
	c.tc = tc
	return c, nil
}

// Format prints the client as its provider and host, whatever the verb: the
// credentials it holds never reach a log or an error report.
func (c Client) Format(f fmt.State, verb rune) { c.tc.Format(f, verb) }

// LogValue keeps the client's credentials out of slog output.
func (c Client) LogValue() slog.Value { return c.tc.LogValue() }
