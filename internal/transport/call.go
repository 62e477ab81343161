package transport

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/go-querystring/query"
	"github.com/hashicorp/go-retryablehttp"

	"github.com/restrictkit/restrict"
)

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
	ctx, span := c.tel.start(ctx, op)
	start := time.Now()
	meta, err := c.renewing(ctx, op, out)
	c.tel.end(ctx, span, op, meta, err, time.Since(start))
	return meta, err
}

// renewing runs op, and once more if the signer renewed the credentials
// its answer refused.
func (c *Client) renewing(ctx context.Context, op *Operation, out any) (restrict.Meta, error) {
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
	retry            retryCause       // why the next attempt is sent, for its span event
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
//
// The rate limiter is waited on before signing, and again when signing
// took longer than signLate (a login ran): the request then goes at a
// slot of its own instead of the one that passed meanwhile, which would
// send every call that waited for the login at once. It is signed again
// after that wait, so that its timestamp is fresh.
func (cl *call) prepare(req *http.Request) error {
	l := restrict.LimiterFromContext(cl.ctx)
	var a Attempt
	for again := l != nil; ; again = false {
		if l != nil {
			if err := l.Wait(cl.ctx); err != nil {
				return cl.limiterError(err)
			}
		}
		a = Attempt{Header: req.Header, Body: cl.payload, Now: cl.c.opts.Clock(), Number: cl.attempts + 1}
		started := time.Now()
		if cl.signer != nil {
			if err := cl.signer.Sign(cl.ctx, &a); err != nil {
				return err
			}
		}
		if !again || time.Since(started) < signLate {
			break
		}
	}
	cl.attempts++
	cl.pending = true
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

// signLate is how long signing may take before the slot the limiter gave
// counts as passed: longer means the signer logged in first.
const signLate = 50 * time.Millisecond

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

// errTooLarge ends a call whose answer passes MaxResponseBytes.
var errTooLarge = errors.New("answer larger than 1 MiB")

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

func drain(body io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, 4096))
	_ = body.Close()
}
