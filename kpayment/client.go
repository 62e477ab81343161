package kpayment

import (
	"fmt"
	"log/slog"
	"strings"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/config"
	"github.com/restrictkit/restrict/internal/transport"
)

// Provider is this package's name, as it appears in Result.Provider and
// APIError.Provider.
const Provider = "kpayment"

// DefaultBaseURL is myKaarma's API host joined with the Payments API base
// path. The docs give the host and the base path "/payment" on separate
// pages; the join is our inference. The path is kept as the prefix of every
// call, so WithBaseURL must include it as well (a fake's BaseURL does).
const DefaultBaseURL = "https://api.mykaarma.com/payment"

// Credentials authenticate a myKaarma ServiceSubscriber account. Give either
// Username and Password (HTTP Basic, what every myKaarma API accepts) or
// Token (an OAuth2 access token obtained elsewhere, for the resources
// myKaarma has moved to OAuth2), never both.
type Credentials struct {
	// Username is the ServiceSubscriber user name that myKaarma issued. It
	// must not contain ":" (RFC 7617: the server splits user and password
	// at the first colon).
	Username string
	// Password is the ServiceSubscriber password.
	Password restrict.Secret
	// Token is an OAuth2 access token, sent as Authorization: Bearer. A
	// "Bearer " prefix is stripped, so a pasted header value works too.
	// This client does not obtain or renew it: myKaarma's token endpoint is
	// not published.
	Token restrict.Secret
}

// Client calls the myKaarma Payments API. It is safe for concurrent use,
// and it implements restrict.Restrictor and restrict.Checker.
type Client struct {
	tc *transport.Client
	// restrictRequest is the body Restrict sends; see WithRestrictRequest.
	// It is never changed after New, so every Restrict may send it as is.
	restrictRequest BlockCustomerRequest
}

var (
	_ restrict.Restrictor = (*Client)(nil)
	_ restrict.Checker    = (*Client)(nil)
)

// WithRestrictRequest sets the body Restrict sends with BlockCustomer, for
// example to ask for a block notification or to name the invoice. A nil
// OnlinePayment is still sent as true, since blocking online payment is
// what Restrict is for; an explicit false is sent as false. The request is
// copied when New runs, and checked as BlockCustomer checks it.
func WithRestrictRequest(req BlockCustomerRequest) restrict.Option {
	return config.Func(func(s *config.Settings) error {
		if field, problem := req.check(); problem != "" {
			return fmt.Errorf("WithRestrictRequest: %s %s", field, problem)
		}
		// A copy of its own for each New: an option may be given to
		// several clients, even at once, and must not change.
		r := req.clone()
		if r.OnlinePayment == nil {
			r.OnlinePayment = restrict.Ptr(true)
		}
		s.SetExtra(Provider, "WithRestrictRequest", r)
		return nil
	})
}

// New returns a client for the given credentials. It fails, before any
// call, when the credentials are incomplete or ambiguous, or when an option
// is invalid; the error matches restrict.ErrInvalidRequest and names the
// field at fault.
func New(creds Credentials, opts ...restrict.Option) (*Client, error) {
	creds, err := creds.check()
	if err != nil {
		return nil, err
	}
	auth, secrets := creds.authorization()
	tc, err := transport.New(transport.Config{
		Provider:       Provider,
		DefaultBaseURL: DefaultBaseURL,
		Signer:         auth,
		Decode:         decode,
		Secrets:        transport.NewSecrets(secrets...),
		SecretHeaders:  []string{"Authorization"},
	}, opts)
	if err != nil {
		return nil, err
	}
	c := &Client{tc: tc, restrictRequest: BlockCustomerRequest{OnlinePayment: restrict.Ptr(true)}}
	if v, ok := tc.Settings().Extra(Provider, "WithRestrictRequest"); ok {
		c.restrictRequest = v.(BlockCustomerRequest)
	}
	return c, nil
}

// check refuses credentials of both kinds, of neither, or with a field
// that could not travel in an HTTP header, naming the field, and returns
// them with the token's "Bearer " prefix stripped.
func (creds Credentials) check() (Credentials, error) {
	basic := creds.Username != "" || creds.Password != ""
	switch {
	case basic && creds.Token != "":
		return creds, &restrict.APIError{
			Provider:  Provider,
			Operation: "New",
			Class:     restrict.ErrInvalidRequest,
			Message:   "Credentials: give Username and Password, or Token, not both",
			Fields: map[string][]string{
				"Username": {"must not be set with Token"},
				"Token":    {"must not be set with Username and Password"},
			},
		}
	case !basic && creds.Token == "":
		return creds, &restrict.APIError{
			Provider:  Provider,
			Operation: "New",
			Class:     restrict.ErrInvalidRequest,
			Message:   "Credentials: Username and Password, or Token, are required",
			Fields: map[string][]string{
				"Username": {"is required without Token"},
				"Password": {"is required without Token"},
				"Token":    {"is required without Username and Password"},
			},
		}
	case creds.Token != "":
		token := transport.StripBearer(string(creds.Token))
		if p := transport.CheckCredential(token); p != "" {
			return creds, restrict.NewFieldError(Provider, "New", "Token", p)
		}
		// A bearer token is one token68 (RFC 6750): a space inside means
		// something else was pasted with it.
		if strings.Contains(token, " ") {
			return creds, restrict.NewFieldError(Provider, "New", "Token", "must not contain white space (give the token alone)")
		}
		creds.Token = restrict.Secret(token)
		return creds, nil
	}
	if p := transport.CheckCredential(creds.Username); p != "" {
		return creds, restrict.NewFieldError(Provider, "New", "Username", p)
	}
	if strings.Contains(creds.Username, ":") {
		// RFC 7617: the user-id cannot contain a colon; the server would
		// split it at the wrong place.
		return creds, restrict.NewFieldError(Provider, "New", "Username", `must not contain ":"`)
	}
	if p := transport.CheckCredential(string(creds.Password)); p != "" {
		return creds, restrict.NewFieldError(Provider, "New", "Password", p)
	}
	return creds, nil
}

// authorization returns the signer that sends checked credentials, and
// every secret among them and derived from them.
func (creds Credentials) authorization() (*authorization, []string) {
	if creds.Token != "" {
		return bearerAuth(string(creds.Token)), []string{string(creds.Token)}
	}
	auth, encoded := basicAuth(creds.Username, string(creds.Password))
	// The base64 of user:password holds the password in a form that no
	// scrubbing of the password alone would find: it is a secret of its own.
	return auth, []string{string(creds.Password), encoded}
}

// Format prints the client as its provider and host, whatever the verb: the
// credentials it holds never reach a log or an error report.
func (c Client) Format(f fmt.State, verb rune) { c.tc.Format(f, verb) }

// LogValue keeps the client's credentials out of slog output.
func (c Client) LogValue() slog.Value { return c.tc.LogValue() }
