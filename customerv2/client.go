package customerv2

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
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

// Client calls the KunaCore customer API v2. It is safe for concurrent use;
// in login mode all callers share one cached JWT and one login at a time.
type Client struct {
	tc    *transport.Client
	creds Credentials
}

var _ restrict.Restrictor = (*Client)(nil)

// New returns a client for KunaCore. KunaCore publishes no host of its own,
// so restrict.WithBaseURL is required. Credentials choose the auth mode:
// an APIKey, or MerchantID, Email and Password to log in for a JWT.
func New(creds Credentials, opts ...restrict.Option) (*Client, error) {
	if err := checkCredentials(creds); err != nil {
		return nil, err
	}
	c := &Client{creds: creds}
	secrets := transport.NewSecrets(string(creds.APIKey), string(creds.Password))
	var signer transport.Signer
	if creds.APIKey != "" {
		signer = apiKeySigner(creds.APIKey)
	} else {
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

func checkCredentials(creds Credentials) error {
	blank := func(s string) bool { return strings.TrimSpace(s) == "" }
	hasKey := !blank(string(creds.APIKey))
	hasLogin := !blank(creds.MerchantID) || !blank(creds.Email) || !blank(string(creds.Password))
	switch {
	case hasKey && hasLogin:
		return restrict.NewFieldError(Provider, "New", "APIKey",
			"cannot be combined with MerchantID, Email and Password: give one kind of credentials")
	case !hasKey && !hasLogin:
		return restrict.NewFieldError(Provider, "New", "APIKey",
			"is required, or MerchantID, Email and Password for login")
	case hasKey:
		if p := transport.CheckCredential(string(creds.APIKey)); p != "" {
			return restrict.NewFieldError(Provider, "New", "APIKey", p)
		}
		return nil
	}
	for _, f := range []struct{ name, value string }{
		{"MerchantID", creds.MerchantID},
		{"Email", creds.Email},
		{"Password", string(creds.Password)},
	} {
		if blank(f.value) {
			return restrict.NewFieldError(Provider, "New", f.name, "is required for login (with MerchantID, Email and Password)")
		}
		if p := transport.CheckCredential(f.value); p != "" {
			return restrict.NewFieldError(Provider, "New", f.name, p)
		}
	}
	return nil
}

func (c *Client) do(ctx context.Context, name, path string, body any, idempotent bool, out any) (restrict.Meta, error) {
	return c.tc.Do(ctx, &transport.Operation{
		Name:       name,
		Method:     http.MethodPost,
		Path:       path,
		Body:       body,
		Idempotent: idempotent,
	}, out)
}

// Format prints the client as its provider and host, whatever the verb: the
// credentials it holds never reach a log or an error report.
func (c Client) Format(f fmt.State, verb rune) { c.tc.Format(f, verb) }

// LogValue keeps the client's credentials out of slog output.
func (c Client) LogValue() slog.Value { return c.tc.LogValue() }
