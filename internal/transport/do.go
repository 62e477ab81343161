package transport

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/go-querystring/query"
	"github.com/hashicorp/go-retryablehttp"

	"github.com/restrictkit/restrict"
)

var errTooLarge = errors.New("answer larger than 1 MiB")

// Call runs op and returns its answer decoded into a new T, with the
// exchange recorded in its Meta: the one way a provider's native method
// calls its API, once it has checked its input. T embeds restrict.Meta.
func Call[T any, PT interface {
	*T
	SetMeta(restrict.Meta)
}](ctx context.Context, c *Client, op *Operation) (*T, error) {
	out := PT(new(T))
	meta, err := c.Do(ctx, op, out)
	if err != nil {
		return nil, err
	}
	out.SetMeta(meta)
	return out, nil
}

// Do runs op and decodes its answer into out (which may be nil). The
// returned Meta is filled whenever an answer arrived, also with an error.
// Every error is a *restrict.APIError, or the context's error wrapped in
// one. A nil c (the client of a provider Client not made with New) sends
// nothing and fails with an error matching restrict.ErrInvalidRequest.
func (c *Client) Do(ctx context.Context, op *Operation, out any) (restrict.Meta, error) {
	if c == nil {
		return restrict.Meta{}, errNotMade(op.Name)
	}
	signer := op.Signer
	if signer == nil {
		signer = c.cfg.Signer
	}
	meta, rejected, err := c.do(ctx, op, signer, out)
	if err == nil || rejected == nil {
		return meta, err
	}
	// One more try once the signer has put its credentials right (a new
	// token, a corrected clock), never more: credentials that keep being
	// refused must surface, not loop.
	r, ok := signer.(Renewer)
	if !ok || !r.Renew(rejected, err) {
		return meta, err
	}
	c.opts.Logger.LogAttrs(ctx, slog.LevelDebug, "restrict: credentials renewed, sending once more",
		slog.String("provider", c.cfg.Provider), slog.String("operation", op.Name))
	attempts := meta.Attempts
	meta, _, err = c.do(ctx, op, signer, out)
	meta.Attempts += attempts
	var ae *restrict.APIError
	if errors.As(err, &ae) && ae.Operation == op.Name {
		ae.Attempts = meta.Attempts
	}
	return meta, err
}

// call is the state of one Do across its attempts.
type call struct {
	c        *Client
	ctx      context.Context
	op       *Operation
	signer   Signer
	payload  []byte // the encoded op.Body
	body     []byte // the bytes of the current attempt, as signed
	attempts int    // attempts prepared (signed), which numbers them
	// sent counts the attempts handed to the HTTP client's RoundTripper
	// with a live context: what Meta.Attempts and APIError.Attempts say.
	// pending is the prepared attempt not yet handed over, so that a
	// redirect the caller's http.Client follows is not a new attempt.
	sent    int
	pending bool
	logged  int // the last attempt logged
	started time.Time
	// Whether the request may have reached the server, as httptrace
	// tells: tried is set when net/http starts getting a connection, and
	// connected when it has one.
	tried, connected atomic.Bool
	secret           []string // the secret header values of every attempt
	secretBuf        [4]string
	secretForms      []string // their forms, worked out once when needed
	last             *http.Request
	attempt          Attempt // the last attempt, as signed
	answer           []byte
	res              Response         // the answer as the decoder sees it
	limit            io.LimitedReader // reads an answer; here so it costs no allocation
}

// do runs one operation through retryablehttp. rejected is the last
// attempt when its answer decoded to an error (so a Renewer can tell which
// credentials failed).
func (c *Client) do(ctx context.Context, op *Operation, signer Signer, out any) (restrict.Meta, *Attempt, error) {
	cl := &call{c: c, ctx: ctx, op: op, signer: signer}
	cl.secret = cl.secretBuf[:0]
	target, err := c.url(op)
	if err != nil {
		return restrict.Meta{}, nil, err
	}
	if cl.payload, err = encodeBody(op.Body); err != nil {
		return restrict.Meta{}, nil, &restrict.APIError{Provider: c.cfg.Provider, Operation: op.Name, Class: restrict.ErrInvalidRequest,
			Message: "request body cannot be encoded as JSON", Err: err}
	}
	if !op.Idempotent {
		// A call that must not run twice is retried only if it provably
		// never reached the server: net/http tried to get a connection and
		// never got one. A RoundTripper that is not net/http's reports
		// neither, and then the request is taken to have arrived.
		ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
			GetConn: func(string) { cl.tried.Store(true) },
			GotConn: func(httptrace.GotConnInfo) { cl.connected.Store(true) },
		})
	}
	// The client's one retryablehttp.Client finds this call's state
	// through the request's context.
	ctx = context.WithValue(ctx, callKey{}, cl)
	var body any
	if cl.payload != nil {
		body = retryablehttp.ReaderFunc(cl.reader)
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, op.Method, target, body)
	if err != nil {
		return restrict.Meta{}, nil, &restrict.APIError{Provider: c.cfg.Provider, Operation: op.Name, Class: restrict.ErrInvalidRequest,
			Message: "request cannot be built", Err: stripURL(err)}
	}
	req.Header.Set("User-Agent", c.opts.UserAgent)
	req.Header.Set("Accept", "application/json")
	if cl.payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.SetResponseHandler(readAnswer)
	if err := cl.prepare(req.Request); err != nil {
		return restrict.Meta{}, nil, cl.fail(err, nil)
	}
	resp, err := c.rc.Do(req)
	meta := restrict.Meta{Attempts: cl.sent}
	if resp != nil {
		if cl.answer == nil && err == nil {
			// Retries ran out on a retryable status: retryablehttp hands
			// the last answer over unread.
			err = cl.read(resp)
		}
		if cl.answer == nil {
			// An answer that was read is read to its end and closed
			// already; only an unread one is drained.
			drain(resp.Body)
		}
		meta.StatusCode = resp.StatusCode
		meta.RequestID = cut(cl.scrub(resp.Header.Get(c.cfg.RequestIDHeader)), maxMessageLen)
	}
	if err != nil {
		return meta, nil, cl.fail(err, resp)
	}
	cl.res = Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: cl.answer, call: cl}
	if err := c.cfg.Decode(&cl.res, out); err != nil {
		return meta, &cl.attempt, cl.fail(err, resp)
	}
	return meta, nil, nil
}

// callKey keys the *call in the context of its requests.
type callKey struct{}

// callOf returns the call a request belongs to.
func callOf(ctx context.Context) *call { return ctx.Value(callKey{}).(*call) }

// retryClient builds the one retryablehttp.Client a Client sends through.
// Its hooks are shared by all calls, and each finds its own call's state
// in the request's context.
func (c *Client) retryClient() *retryablehttp.Client {
	return &retryablehttp.Client{
		HTTPClient:   perAttempt(c.hc),
		RetryWaitMin: c.opts.MinWait,
		RetryWaitMax: c.opts.MaxWait,
		RetryMax:     c.opts.MaxAttempts - 1,
		CheckRetry: func(ctx context.Context, resp *http.Response, err error) (bool, error) {
			return callOf(ctx).checkRetry(ctx, resp, err)
		},
		Backoff: c.backoff,
		PrepareRetry: func(req *http.Request) error {
			return callOf(req.Context()).prepareRetry(req)
		},
		RequestLogHook: func(_ retryablehttp.Logger, req *http.Request, _ int) {
			callOf(req.Context()).started = time.Now()
		},
		// Keep the last answer and error as they are; retryablehttp's
		// default throws the body away and says "giving up".
		ErrorHandler: func(resp *http.Response, err error, _ int) (*http.Response, error) { return resp, err },
	}
}

func encodeBody(b any) ([]byte, error) {
	switch v := b.(type) {
	case nil:
		return nil, nil
	case []byte:
		return v, nil
	case json.RawMessage:
		return v, nil
	default:
		return json.Marshal(v)
	}
}

// url builds the request URL from the base URL, the operation's path with
// its parameters escaped, and its query.
func (c *Client) url(op *Operation) (string, error) {
	path := op.Path
	for name, value := range op.PathParams {
		if problem := CheckPathSegment(value); problem != "" {
			return "", restrict.NewFieldError(c.cfg.Provider, op.Name, name, problem)
		}
		path = strings.ReplaceAll(path, "{"+name+"}", url.PathEscape(value))
	}
	escaped := c.basePath + path
	u := url.URL{Scheme: c.base.Scheme, Host: c.base.Host}
	unescaped, err := url.PathUnescape(escaped)
	if err != nil {
		return "", &restrict.APIError{Provider: c.cfg.Provider, Operation: op.Name, Class: restrict.ErrInvalidRequest, Message: "invalid path"}
	}
	u.Path, u.RawPath = unescaped, escaped
	if u.RawQuery, err = c.rawQuery(op); err != nil {
		return "", err
	}
	return u.String(), nil
}

// rawQuery encodes the operation's query.
func (c *Client) rawQuery(op *Operation) (string, error) {
	switch q := op.Query.(type) {
	case nil:
		return "", nil
	case url.Values:
		// Already in form: no reflection needed.
		return q.Encode(), nil
	default:
		v, err := query.Values(op.Query)
		if err != nil {
			return "", &restrict.APIError{Provider: c.cfg.Provider, Operation: op.Name, Class: restrict.ErrInvalidRequest, Message: "query cannot be encoded", Err: err}
		}
		return v.Encode(), nil
	}
}

// CheckPathSegment returns what stops v from being one path segment, or "":
// on top of CheckID, "/", "\", ".." and a lone "." are refused, so no value
// can reach another path, even past a server or proxy that unescapes %2F.
func CheckPathSegment(v string) string {
	switch {
	case v == ".":
		// Servers and proxies collapse "/./", so the call would reach the
		// parent path.
		return `must not be "."`
	case strings.ContainsAny(v, `/\`) || strings.Contains(v, ".."):
		return `must not contain "/", "\" or ".."`
	}
	return CheckID(v)
}

// handOver reports whether the attempt of req may go to the RoundTripper,
// and counts it when it does: only with a live context. A request whose
// context has ended is never handed over, so that no RoundTripper (one that
// ignores the context, like httpmock's) sends it and no attempt is counted
// for it. One whose context ends later counts as sent, since it may have
// reached the provider.
func handOver(req *http.Request) error {
	cl, _ := req.Context().Value(callKey{}).(*call)
	if err := req.Context().Err(); err != nil {
		return err
	}
	if cl != nil && cl.pending {
		cl.pending = false
		cl.sent++
	}
	return nil
}

func (cl *call) reader() (io.Reader, error) { return bytes.NewReader(cl.body), nil }

// prepare signs one attempt: the first before Do, each retry from
// PrepareRetry, so every attempt carries a signature over its own bytes.
func (cl *call) prepare(req *http.Request) error {
	if l := restrict.LimiterFromContext(cl.ctx); l != nil {
		if err := l.Wait(cl.ctx); err != nil {
			return cl.limiterError(err)
		}
	}
	cl.attempts++
	cl.pending = true
	a := Attempt{Header: req.Header, Body: cl.payload, Now: cl.c.opts.Clock(), Number: cl.attempts}
	if cl.signer != nil {
		if err := cl.signer.Sign(cl.ctx, &a); err != nil {
			return err
		}
	}
	cl.body = a.Body
	req.ContentLength = int64(len(a.Body))
	cl.last = req
	cl.attempt = a
	// Every secret value an attempt carries (a signature, a token) is kept
	// for the rest of the call, so that an error echoing any attempt's is
	// scrubbed.
	for _, name := range cl.c.cfg.SecretHeaders {
		vs := req.Header[name] // canonical already: Get would canonicalize again
		if len(vs) == 0 {
			continue
		}
		v := vs[0]
		if len(v) < minSecretLen {
			continue
		}
		cl.secret = append(cl.secret, v)
		if _, rest, ok := strings.Cut(v, " "); ok && len(rest) >= minSecretLen {
			cl.secret = append(cl.secret, rest)
		}
		cl.secretForms = nil
	}
	return nil
}

// limiterError is the error of an attempt its limiter never let go: the
// context's own when it ended, else the limiter's refusal (a wait that
// would outlast the deadline), which asks to slow down.
func (cl *call) limiterError(err error) error {
	if cl.ctx.Err() != nil {
		return cl.ctx.Err()
	}
	return &restrict.APIError{Class: restrict.ErrRateLimited, Message: "the rate limiter's wait would outlast the call's deadline", Err: err}
}

// forms returns the forms of the secret values sent so far, working them
// out once.
func (cl *call) forms() []string {
	if cl.secretForms == nil && len(cl.secret) > 0 {
		cl.secretForms = allForms(cl.secret)
	}
	return cl.secretForms
}

// scrub removes every secret of the client and of this call from s.
func (cl *call) scrub(s string) string {
	if s == "" {
		return s
	}
	return cl.c.secrets.scrub(s, cl.forms())
}

func (cl *call) prepareRetry(req *http.Request) error {
	// retryablehttp copies the request shallowly; the header map is still
	// shared with the previous attempt, which the old connection's writer
	// may be reading.
	req.Header = req.Header.Clone()
	return cl.prepare(req)
}

// readAnswer is every request's response handler: it finds the request's
// call in its context, as the retry hooks do.
func readAnswer(resp *http.Response) error { return callOf(resp.Request.Context()).read(resp) }

// read runs on the final answer inside the retry loop, so that a body lost
// mid-read is retried like any other transport failure.
func (cl *call) read(resp *http.Response) error {
	defer resp.Body.Close()
	cl.limit = io.LimitedReader{R: resp.Body, N: MaxResponseBytes + 1}
	b, err := io.ReadAll(&cl.limit)
	cl.limit.R = nil
	if err != nil {
		return err
	}
	if len(b) > MaxResponseBytes {
		return errTooLarge
	}
	if b == nil {
		b = []byte{}
	}
	cl.answer = b
	return nil
}

func (cl *call) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	cl.log(resp, err)
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if err != nil {
		if errors.Is(err, errTooLarge) {
			return false, err
		}
		if retry, _ := retryablehttp.DefaultRetryPolicy(ctx, nil, err); !retry {
			return false, err
		}
		return cl.op.Idempotent || cl.tried.Load() && !cl.connected.Load(), err
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests:
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		// An answer proves the request arrived, whatever httptrace saw:
		// a call that must not run twice is not sent again.
		if !cl.op.Idempotent {
			return false, nil
		}
	case http.StatusInternalServerError:
		return cl.op.Idempotent, nil
	default:
		return false, nil
	}
	// A Retry-After longer than we may wait ends the call now, with the
	// wait reported in the error instead of slept.
	if d, ok := retryAfter(resp.Header, cl.c.opts.Clock()); ok && d > cl.c.opts.MaxWait {
		return false, nil
	}
	return true, nil
}

func (c *Client) backoff(minWait, maxWait time.Duration, n int, resp *http.Response) time.Duration {
	if resp != nil {
		if d, ok := retryAfter(resp.Header, c.opts.Clock()); ok && d <= maxWait {
			return d
		}
	}
	return Backoff(minWait, maxWait, n)
}

// Backoff is the wait before retry n (0 for the first retry): exponential
// from minWait, capped at maxWait, with the upper half jittered so that
// clients that failed together do not retry together.
func Backoff(minWait, maxWait time.Duration, n int) time.Duration {
	d := minWait
	for i := 0; i < n && d < maxWait; i++ {
		d *= 2
	}
	if d > maxWait || d <= 0 {
		d = maxWait
	}
	if half := int64(d / 2); half > 0 {
		d = time.Duration(half + rand.Int64N(half+1))
	}
	if d < minWait {
		d = minWait
	}
	return d
}

// maxRetryAfter caps the wait a Retry-After can ask for: about 146 years,
// far beyond any MaxWait, and far from overflowing a time.Duration.
const maxRetryAfter = time.Duration(1 << 62)

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// retryAfter parses a Retry-After header: delay-seconds or an HTTP date.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := h.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
		if s < 0 {
			return 0, false
		}
		if s > int64(maxRetryAfter/time.Second) {
			s = int64(maxRetryAfter / time.Second)
		}
		return time.Duration(s) * time.Second, true
	}
	if isDigits(strings.TrimSpace(v)) {
		// Seconds too many for an int64: a very long wait, not none.
		return maxRetryAfter, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	d := t.Sub(now)
	if d < 0 {
		d = 0
	}
	return d, true
}

func (cl *call) log(resp *http.Response, err error) {
	l := cl.c.opts.Logger
	if cl.logged == cl.attempts || !l.Enabled(cl.ctx, slog.LevelDebug) {
		return
	}
	cl.logged = cl.attempts
	attrs := []slog.Attr{
		slog.String("provider", cl.c.cfg.Provider),
		slog.String("operation", cl.op.Name),
		slog.String("method", cl.op.Method),
		slog.String("host", cl.c.base.Host),
		slog.String("path", cl.last.URL.EscapedPath()),
		slog.Int("attempt", cl.attempts),
		slog.Duration("duration", time.Since(cl.started)),
	}
	if resp != nil {
		attrs = append(attrs, slog.Int("status", resp.StatusCode))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", cl.scrub(stripURL(err).Error())))
	}
	l.LogAttrs(cl.ctx, slog.LevelDebug, "restrict: http attempt", attrs...)
}

// fail turns whatever ended a call into a *restrict.APIError with the
// call's facts filled in and every secret scrubbed.
func (cl *call) fail(err error, resp *http.Response) error {
	c := cl.c
	var ae *restrict.APIError
	switch {
	case errors.As(err, &ae):
		if ae.Operation != "" && ae.Operation != cl.op.Name {
			// An error of another operation (a login run by the signer)
			// is returned as that operation reported it.
			return err
		}
	case cl.ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)):
		ae = &restrict.APIError{Message: "the context ended", Err: cl.ctx.Err()}
	case errors.Is(err, errTooLarge):
		ae = &restrict.APIError{Class: restrict.ErrUnavailable, Message: errTooLarge.Error()}
	case resp != nil && cl.answer != nil:
		// The decoder failed without a provider error: the answer is
		// unreadable.
		ae = &restrict.APIError{Class: restrict.ErrUnavailable, Message: "unreadable answer: " + err.Error()}
		if s := cut(cl.scrub(string(cl.answer[:min(len(cl.answer), 64<<10)])), snippetLen); s != "" {
			ae.Message += ": " + s
		}
	default:
		ae = &restrict.APIError{Class: restrict.ErrUnavailable, Message: "no answer", Err: stripURL(err)}
	}
	ae.Provider = c.cfg.Provider
	ae.Operation = cl.op.Name
	ae.Attempts = cl.sent
	if resp != nil {
		if ae.StatusCode == 0 {
			ae.StatusCode = resp.StatusCode
		}
		if ae.RequestID == "" {
			ae.RequestID = resp.Header.Get(c.cfg.RequestIDHeader)
		}
		if ae.RetryAfter == 0 {
			ae.RetryAfter, _ = retryAfter(resp.Header, c.opts.Clock())
		}
		if resp.StatusCode == http.StatusTooManyRequests {
			ae.Class = restrict.ErrRateLimited
		}
	}
	if ae.Class == nil && ae.StatusCode != 0 {
		ae.Class = ClassForStatus(ae.StatusCode)
	}
	// Scrubbed whole, and only then cut: half a secret is not found.
	ae.Message = cut(cl.scrub(ae.Message), maxMessageLen)
	ae.Code = cut(cl.scrub(ae.Code), maxMessageLen)
	ae.RequestID = cut(cl.scrub(ae.RequestID), maxMessageLen)
	if len(ae.Fields) > 0 {
		fields := make(map[string][]string, len(ae.Fields))
		for k, vs := range ae.Fields {
			clean := make([]string, len(vs))
			for i, v := range vs {
				clean[i] = cut(cl.scrub(v), maxMessageLen)
			}
			fields[cut(cl.scrub(k), maxMessageLen)] = clean
		}
		ae.Fields = fields
	}
	ae.Err = c.secrets.scrubError(ae.Err, cl.forms())
	return ae
}

// maxMessageLen bounds each text of an error: a provider's message, code,
// field or request ID.
const maxMessageLen = 1000

// stripURL drops the URL that net/http puts in its errors: errors report the
// operation, not an address that could carry a secret.
func stripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func drain(body io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, 4096))
	_ = body.Close()
}
