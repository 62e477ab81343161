package transport

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/restrictkit/restrict"

	"github.com/restrictkit/restrict/internal/config"
)

// MaxResponseBytes bounds how much of any answer is read. A provider answer
// for these APIs is a few hundred bytes; anything near this is a proxy page
// or an attack, and is refused rather than buffered.
const MaxResponseBytes = 1 << 20

// defaultTimeout bounds one attempt when the caller gives no http.Client.
const defaultTimeout = 30 * time.Second

// Config describes a provider to the transport. A provider package builds
// one in its New.
type Config struct {
	// Provider is the provider package's name, used in errors and logs.
	Provider string
	// DefaultBaseURL is used when the caller gives no WithBaseURL. Empty
	// means the provider publishes none, and WithBaseURL is required.
	DefaultBaseURL string
	// MissingBaseURL is the message when WithBaseURL is required and
	// missing; a generic one when empty.
	MissingBaseURL string
	// Signer authenticates every attempt; nil sends no credentials.
	Signer Signer
	// Decode turns a complete answer into a result or an error. Nil
	// decodes JSON on 2xx and classifies everything else by status.
	Decode Decoder
	// Secrets are the client's credentials, and what it learns while it
	// runs (tokens), that must never appear in an error, a log line or a
	// result, even if a provider echoes them back. Nil scrubs only what
	// SecretHeaders name.
	Secrets *Secrets
	// SecretHeaders name request headers whose values (signatures,
	// tokens) must never appear in an error, a log line or a result; the
	// values of every attempt of a call are scrubbed from what the call
	// returns.
	SecretHeaders []string
	// RequestIDHeader is the answer header carrying the provider's
	// request ID; "X-Request-Id" when empty.
	RequestIDHeader string
}

// Client sends operations to one provider. It is safe for concurrent use.
type Client struct {
	// cfg is behind a pointer so that no fmt path (not even a bad verb on a
	// struct holding this client) can print its Secrets.
	cfg      *Config
	opts     config.Settings
	base     *url.URL
	basePath string // escaped, without a trailing slash
	hc       *http.Client
	rc       *retryablehttp.Client // built once; see retryClient
	secrets  *Secrets
	tel      *telemetry
}

// New resolves the caller's options against cfg. Its errors match
// restrict.ErrInvalidRequest and say which setting is wrong.
func New(cfg Config, opts []restrict.Option) (*Client, error) {
	o, err := Resolve(cfg.Provider, opts)
	if err != nil {
		return nil, err
	}
	raw := o.BaseURL
	if raw == "" {
		raw = cfg.DefaultBaseURL
	}
	if raw == "" {
		msg := cfg.MissingBaseURL
		if msg == "" {
			msg = cfg.Provider + " publishes no base URL: pass restrict.WithBaseURL"
		}
		return nil, &restrict.APIError{Provider: cfg.Provider, Operation: "New", Class: restrict.ErrInvalidRequest, Message: msg}
	}
	base, err := ParseURL(raw, o.InsecureHTTP)
	if err != nil {
		return nil, &restrict.APIError{Provider: cfg.Provider, Operation: "New", Class: restrict.ErrInvalidRequest, Message: err.Error()}
	}
	hc := o.HTTPClient
	if hc == nil {
		hc = &http.Client{Transport: NewPool(), Timeout: defaultTimeout}
	}
	if hc.Transport == nil {
		// Our own pool rather than the process-wide http.DefaultTransport,
		// which nothing in this SDK may touch: see perAttempt.
		hc.Transport = NewPool()
	}
	if hc.CheckRedirect == nil {
		// A payment call that is redirected would be replayed, or turned
		// into a GET, somewhere the caller never named: report the 3xx.
		hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	}
	if cfg.RequestIDHeader == "" {
		cfg.RequestIDHeader = "X-Request-Id"
	}
	// Canonical once, so that reading them on every attempt costs nothing.
	names := make([]string, len(cfg.SecretHeaders))
	for i, n := range cfg.SecretHeaders {
		names[i] = textproto.CanonicalMIMEHeaderKey(n)
	}
	cfg.SecretHeaders = names
	cfg.RequestIDHeader = textproto.CanonicalMIMEHeaderKey(cfg.RequestIDHeader)
	if cfg.Decode == nil {
		cfg.Decode = DecodeJSON
	}
	if cfg.Secrets == nil {
		cfg.Secrets = NewSecrets()
	}
	c := &Client{
		tel:      newTelemetry(cfg.Provider, base.Hostname(), o),
		secrets:  cfg.Secrets,
		cfg:      &cfg,
		opts:     o,
		base:     base,
		basePath: strings.TrimRight(base.EscapedPath(), "/"),
		hc:       hc,
	}
	c.rc = c.retryClient()
	return c, nil
}

// Resolve applies opts over the defaults and checks the result: every
// option valid, and none that belongs to another provider. Its errors
// match restrict.ErrInvalidRequest and name the option at fault.
func Resolve(provider string, opts []restrict.Option) (config.Settings, error) {
	s := config.Settings{
		MaxAttempts: restrict.DefaultRetryPolicy.MaxAttempts,
		MinWait:     restrict.DefaultRetryPolicy.MinWait,
		MaxWait:     restrict.DefaultRetryPolicy.MaxWait,
		Logger:      slog.New(slog.DiscardHandler),
		UserAgent:   "restrict-go/" + restrict.Version,
		Clock:       time.Now,
	}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt.Apply(&s); err != nil {
			return config.Settings{}, &restrict.APIError{Provider: provider, Operation: "New", Class: restrict.ErrInvalidRequest, Message: err.Error()}
		}
	}
	if e, ok := s.Foreign(provider); ok {
		return config.Settings{}, &restrict.APIError{Provider: provider, Operation: "New", Class: restrict.ErrInvalidRequest,
			Message: e.Option + " is an option of " + e.Provider + ", not of " + provider,
			Fields:  map[string][]string{e.Option: {"belongs to " + e.Provider}}}
	}
	return s, nil
}

// ParseURL parses a base URL by config.ParseBaseURL's rule and refuses
// plain http to a host that is not loopback unless insecure is set.
func ParseURL(raw string, insecure bool) (*url.URL, error) {
	u, err := config.ParseBaseURL(raw)
	if err != nil {
		return nil, fmt.Errorf("base URL: %w", err)
	}
	if u.Scheme == "http" && !insecure && !IsLoopback(u.Hostname()) {
		return nil, fmt.Errorf("base URL uses plain http to %s, which is not loopback: credentials would cross the network in clear text; use https, or pass restrict.WithInsecureHTTP() to accept the risk", u.Hostname())
	}
	return u, nil
}

// IsLoopback reports whether host names this machine: localhost or a
// loopback address.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Format prints the client as the provider's client and its host, whatever
// the verb: it holds credentials (in its signer and Config.Secrets) that
// must never reach a log. Provider clients format through it.
func (c *Client) Format(f fmt.State, _ rune) {
	if c == nil {
		fmt.Fprint(f, "Client{not made with New}")
		return
	}
	fmt.Fprintf(f, "%s.Client{host: %s}", c.cfg.Provider, c.base.Host)
}

// LogValue keeps slog from printing the client's credentials.
func (c *Client) LogValue() slog.Value {
	if c == nil {
		return slog.StringValue("Client{not made with New}")
	}
	return slog.GroupValue(slog.String("provider", c.cfg.Provider), slog.String("host", c.base.Host))
}

// LogTarget records, at Debug, the target a Restrict or Lift acts on and
// the caller's reason. No provider here has a field for the reason, so this
// line is where it is kept; every provider writes it the same way, so logs
// can be filtered by provider and target alike.
func (c *Client) LogTarget(ctx context.Context, operation string, t restrict.Target) {
	if c == nil || !c.opts.Logger.Enabled(ctx, slog.LevelDebug) {
		return
	}
	c.opts.Logger.LogAttrs(ctx, slog.LevelDebug, "restrict: "+operation,
		slog.String("provider", c.cfg.Provider), slog.String("operation", operation),
		slog.String("target", t.ID), slog.String("reason", t.Reason))
}

// Settings returns the resolved settings, for a provider's own options
// (Settings.Extra) and the clock.
func (c *Client) Settings() config.Settings { return c.opts }

// Now reads the client's clock.
func (c *Client) Now() time.Time { return c.opts.Clock() }

// BaseURL returns a copy of the resolved base URL.
func (c *Client) BaseURL() *url.URL {
	u := *c.base
	return &u
}

// HTTPClient returns the client's own copy of the HTTP client, for a second
// transport.Client of the same provider (a login service on another path)
// to share its connection pool.
func (c *Client) HTTPClient() *http.Client { return c.hc }

// Logger returns the client's logger (silent unless WithLogger was given).
func (c *Client) Logger() *slog.Logger { return c.opts.Logger }

// Decoder turns a complete answer into the operation's result: on success
// it fills out (which may be nil) and returns nil; otherwise it returns the
// provider's error, ideally a *restrict.APIError with Class, Code, Message
// and Fields set. The transport fills in provider, operation, status,
// attempts, request ID and Retry-After. Any other error is reported as an
// unreadable answer (restrict.ErrUnavailable).
type Decoder func(res *Response, out any) error

// Operation is one call of a provider's API.
type Operation struct {
	// Name is the client method, used in errors and logs: "BlockAddress".
	Name   string
	Method string
	// Path is appended to the base URL's path. It may hold {name}
	// placeholders, filled from PathParams.
	Path string
	// PathParams are escaped into Path. A value that is empty, or holds
	// "/", "\", ".." or a control character, is refused before sending, so
	// no caller input can reach another path.
	PathParams map[string]string
	// Query is a struct encoded with go-querystring, a url.Values sent as
	// it is, or nil.
	Query any
	// Body is encoded as JSON once, or sent verbatim if it is a []byte or
	// json.RawMessage; nil sends no body.
	Body any
	// Idempotent operations are retried on transport errors and 5xx; the
	// others only on 429, or on a transport error when net/http reports
	// (through httptrace) that it tried to connect and never did. A
	// RoundTripper that reports nothing (httpmock, a caller's own) leaves
	// it unknown, and then the request is taken to have arrived.
	Idempotent bool
	// Signer, when set, replaces the client's Signer for this operation
	// (a login call, say).
	Signer Signer
}

// Signer authenticates one attempt. It is called before every attempt, the
// first and each retry, after the attempt's body is final; it may replace
// the body (a timestamp renewed inside it), and the bytes it leaves in
// Attempt.Body are exactly the bytes sent.
type Signer interface {
	Sign(ctx context.Context, a *Attempt) error
}

// SignerFunc adapts a function to Signer.
type SignerFunc func(ctx context.Context, a *Attempt) error

// Sign calls f.
func (f SignerFunc) Sign(ctx context.Context, a *Attempt) error { return f(ctx, a) }

// Renewer is a Signer that can put its credentials right after the
// provider refused them: a login token renewed, a clock corrected. When an
// operation's answer decodes to an error, the transport calls Renew once,
// with the refused attempt (its headers and body as signed and sent) and
// the error; if it returns true, the operation runs once more, and its
// result is the call's.
// Running a non-idempotent operation again is safe here only because the
// provider refused the first before acting on it, which is what a Renewer
// must check err for.
type Renewer interface {
	Signer
	Renew(rejected *Attempt, err error) bool
}

// Attempt is one HTTP attempt, as a Signer sees it.
type Attempt struct {
	Header http.Header // the request's headers: set credentials here
	Body   []byte      // the bytes to send; a signer may replace them
	Now    time.Time   // the client's clock, read once for this attempt
	Number int         // 1 for the first attempt
}
