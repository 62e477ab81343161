package walletplatform

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/config"
	"github.com/restrictkit/restrict/internal/transport"
)

// Provider is this package's name, as it appears in results, errors and logs.
const Provider = "walletplatform"

// Credentials authenticate a client to the SABI wallet platform. Give APIKey
// and either a Token (a bearer token obtained elsewhere, used as it is) or a
// Username and PassID (the client logs in and renews the token itself).
type Credentials struct {
	// APIKey is the tenant's key, sent as the apiKey header on every call.
	APIKey restrict.Secret
	// Token is a bearer token used as given; a "Bearer " prefix is
	// stripped. It is never renewed: when it expires, calls fail with an
	// error matching restrict.ErrUnauthorized.
	Token restrict.Secret
	// Username is the platform user that logs in, such as an e-mail address.
	Username string
	// PassID is that user's pass ID, the login's password.
	PassID restrict.Secret
}

// check validates the credentials, naming the field at fault, and returns
// them with the token's "Bearer " prefix stripped. Every field must be a
// value that can travel in an HTTP header (transport.CheckCredential).
func (c Credentials) check() (Credentials, error) {
	field := func(name, problem string) error {
		return restrict.NewFieldError(Provider, "New", name, problem)
	}
	if p := transport.CheckCredential(string(c.APIKey)); p != "" {
		return c, field("APIKey", p)
	}
	switch {
	case c.Token != "" && (c.Username != "" || c.PassID != ""):
		// Two ways to authenticate would leave it unclear which one a
		// failure came from: the caller picks one.
		return c, field("Token", "must not be combined with Username and PassID: give a token or a login, not both")
	case c.Token != "":
		c.Token = restrict.Secret(transport.StripBearer(string(c.Token)))
		if p := transport.CheckCredential(string(c.Token)); p != "" {
			return c, field("Token", p)
		}
		if !usableToken(string(c.Token)) {
			return c, field("Token", "must be a bearer token, without spaces")
		}
		return c, nil
	case c.Username == "":
		return c, field("Username", "is required (or give a Token)")
	case c.PassID == "":
		return c, field("PassID", "is required with Username")
	}
	if p := transport.CheckCredential(c.Username); p != "" {
		return c, field("Username", p)
	}
	if p := transport.CheckCredential(string(c.PassID)); p != "" {
		return c, field("PassID", p)
	}
	return c, nil
}

// Client calls the SABI wallet platform. It is safe for concurrent use. It
// satisfies restrict.Restrictor (Restrict freezes an account, Lift
// unfreezes it) and restrict.Checker (Status reads the account back).
type Client struct {
	tc            *transport.Client
	users         *transport.Client // the users service, for logins; nil with a static Token
	creds         Credentials
	authorization string // "Bearer <token>" for a static Token, built once
}

// WithUsersURL sets where the users service (the login endpoint) lives. By
// default it is the scheme and host of the base URL: the documentation
// addresses the wallet service as http://20.87.230.105/platform/wallets and
// the login as /api/v1/users/... on the same host. The URL is held to the
// same plain-http rule as the base URL, so WithInsecureHTTP covers both.
// It matters only when logging in with Username and PassID.
func WithUsersURL(rawURL string) restrict.Option {
	return config.Func(func(s *config.Settings) error {
		if _, err := config.ParseBaseURL(rawURL); err != nil {
			return fmt.Errorf("WithUsersURL: %w", err)
		}
		s.SetExtra(Provider, "WithUsersURL", rawURL)
		return nil
	})
}

// New returns a client for the wallet service at the base URL given with
// restrict.WithBaseURL, which is required: SABI publishes no TLS host. The
// only documented one, http://20.87.230.105/platform/wallets, is plain http
// on a bare IP and is accepted only with restrict.WithInsecureHTTP().
//
// With a Username and PassID the client logs in on first use at the users
// service (see WithUsersURL), caches the token until a minute before its
// JWT expiry, shares one login among concurrent calls, and logs in again
// once when a call is refused as unauthorized, whether by HTTP 401 or by
// {"status":false,"statusCode":401} inside a 200 answer.
func New(creds Credentials, opts ...restrict.Option) (*Client, error) {
	creds, err := creds.check()
	if err != nil {
		return nil, err
	}
	c := &Client{creds: creds}
	// One set of secrets for both services: a token the users service
	// issues must be scrubbed from the wallet service's errors too.
	secrets := transport.NewSecrets(string(creds.APIKey), string(creds.Token), string(creds.PassID))
	cfg := transport.Config{
		Provider:       Provider,
		MissingBaseURL: "SABI publishes no TLS host: pass restrict.WithBaseURL (its documented http://20.87.230.105/platform/wallets also needs restrict.WithInsecureHTTP())",
		Decode:         decode,
		Secrets:        secrets,
		// The token is also a secret when it came from a login, and the
		// apiKey header carries the key.
		SecretHeaders: []string{"apiKey", "Authorization"},
	}
	login := creds.Token == ""
	if login {
		cfg.Signer = transport.NewTokenAuth(c.login, func() time.Time { return c.tc.Now() }, c.setAPIKey, secrets)
	} else {
		c.authorization = "Bearer " + string(creds.Token)
		cfg.Signer = transport.SignerFunc(c.signStatic)
	}
	if c.tc, err = transport.New(cfg, opts); err != nil {
		return nil, err
	}
	if !login {
		return c, nil
	}
	var usersURL string
	if v, ok := c.tc.Settings().Extra(Provider, "WithUsersURL"); ok {
		usersURL = v.(string)
	}
	if usersURL == "" {
		base := c.tc.BaseURL()
		usersURL = base.Scheme + "://" + base.Host
	}
	if _, err := transport.ParseURL(usersURL, c.tc.Settings().InsecureHTTP); err != nil {
		return nil, &restrict.APIError{Provider: Provider, Operation: "New", Class: restrict.ErrInvalidRequest,
			Message: "users-service URL: " + err.Error()}
	}
	ucfg := cfg
	ucfg.Signer = transport.SignerFunc(c.signLogin)
	ucfg.Decode = decodeLogin
	// The caller's options, with the users service as the base URL and the
	// wallet client's own HTTP client, so that both services share one
	// connection pool. The caller's slice is never appended to in place.
	uopts := append(opts[:len(opts):len(opts)], restrict.WithBaseURL(usersURL), restrict.WithHTTPClient(c.tc.HTTPClient()))
	if c.users, err = transport.New(ucfg, uopts); err != nil {
		return nil, err
	}
	return c, nil
}

// Format prints the client as its provider and host, whatever the verb: the
// credentials it holds never reach a log or an error report.
func (c Client) Format(f fmt.State, verb rune) { c.tc.Format(f, verb) }

// LogValue keeps the client's credentials out of slog output.
func (c Client) LogValue() slog.Value { return c.tc.LogValue() }
