package kpayment

import (
	"encoding/base64"
	"fmt"
	"log/slog"
	"strings"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/transport"
)

// Provider is this package's name, as it appears in Result.Provider and
// APIError.Provider.
const Provider = "kpayment"

// DefaultBaseURL is myKaarma's API host joined with the Payments API base
// path. The docs give the host and the base path "/payment" on separate
// pages; the join is our inference. The path is kept as the prefix of every
// call, so WithBaseURL must include it as well (a fake's URL + "/payment").
const DefaultBaseURL = "https://api.mykaarma.com/payment"

// Credentials authenticate a myKaarma ServiceSubscriber account. Give either
// Username and Password (HTTP Basic, what every myKaarma API accepts) or
// Token (an OAuth2 access token obtained elsewhere, for the resources
// myKaarma has moved to OAuth2), never both.
type Credentials struct {
	// Username is the ServiceSubscriber user name that myKaarma issued.
	Username string
	// Password is the ServiceSubscriber password.
	Password restrict.Secret
	// Token is an OAuth2 access token, sent as Authorization: Bearer.
	// This client does not obtain or renew it: myKaarma's token endpoint is
	// not published yet.
	Token restrict.Secret
}

// Client calls the myKaarma Payments API. It is safe for concurrent use,
// and it implements restrict.Restrictor.
type Client struct {
	tc *transport.Client
	// restrictRequest is the body Restrict sends; see WithRestrictRequest.
	restrictRequest BlockCustomerRequest
}

var _ restrict.Restrictor = (*Client)(nil)

// New returns a client for the given credentials. It fails, before any
// call, when the credentials are incomplete or ambiguous, or when an option
// is invalid; the error matches restrict.ErrInvalidRequest and names the
// field at fault.
func New(creds Credentials, opts ...restrict.Option) (*Client, error) {
	auth, err := creds.authorization()
	if err != nil {
		return nil, err
	}
	// The header value is a secret of its own: the base64 of
	// user:password holds the password in a form no scrubbing of the
	// password alone would find.
	_, encoded, _ := strings.Cut(string(auth.value), " ")
	tc, err := transport.New(transport.Config{
		Provider:       Provider,
		DefaultBaseURL: DefaultBaseURL,
		Signer:         auth,
		Decode:         decode,
		Secrets:        transport.NewSecrets(string(creds.Password), string(creds.Token), encoded),
		SecretHeaders:  []string{"Authorization"},
	}, opts)
	if err != nil {
		return nil, err
	}
	c := &Client{tc: tc, restrictRequest: defaultRestrictRequest()}
	if v, ok := tc.Settings().Extra(Provider, "WithRestrictRequest"); ok {
		c.restrictRequest = v.(BlockCustomerRequest)
	}
	return c, nil
}

// authorization checks the credentials and returns the signer that sends
// them.
func (creds Credentials) authorization() (*authorization, error) {
	basic := creds.Username != "" || creds.Password != ""
	switch {
	case basic && creds.Token != "":
		return nil, &restrict.APIError{
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
		return nil, &restrict.APIError{
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
		if p := transport.CheckCredential(string(creds.Token)); p != "" {
			return nil, restrict.NewFieldError(Provider, "New", "Token", p)
		}
		// A token is sent verbatim after "Bearer ": a space would mean
		// the caller passed "Bearer x" or a broken header line.
		if strings.IndexFunc(string(creds.Token), isSpaceOrControl) >= 0 {
			return nil, restrict.NewFieldError(Provider, "New", "Token", "must not contain spaces or control characters (give the token alone, without \"Bearer \")")
		}
		return &authorization{value: "Bearer " + creds.Token}, nil
	case creds.Username == "":
		return nil, restrict.NewFieldError(Provider, "New", "Username", "is required with Password")
	case creds.Password == "":
		return nil, restrict.NewFieldError(Provider, "New", "Password", "is required with Username")
	case strings.Contains(creds.Username, ":"):
		// RFC 7617: the user-id cannot contain a colon, the server would
		// split it at the wrong place.
		return nil, restrict.NewFieldError(Provider, "New", "Username", `must not contain ":"`)
	}
	if p := transport.CheckCredential(creds.Username); p != "" {
		return nil, restrict.NewFieldError(Provider, "New", "Username", p)
	}
	if p := transport.CheckCredential(string(creds.Password)); p != "" {
		return nil, restrict.NewFieldError(Provider, "New", "Password", p)
	}
	raw := creds.Username + ":" + string(creds.Password)
	return &authorization{value: restrict.Secret("Basic " + base64.StdEncoding.EncodeToString([]byte(raw)))}, nil
}

func isSpaceOrControl(r rune) bool { return r == ' ' || transport.IsControl(r) }

// Format prints the client as its provider and host, whatever the verb: the
// credentials it holds never reach a log or an error report.
func (c Client) Format(f fmt.State, verb rune) { c.tc.Format(f, verb) }

// LogValue keeps the client's credentials out of slog output.
func (c Client) LogValue() slog.Value { return c.tc.LogValue() }
