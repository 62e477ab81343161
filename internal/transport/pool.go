package transport

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"time"
)

// PoolSize is how many idle connections the default pool keeps per
// provider host. net/http's default of 2 (and go-cleanhttp's GOMAXPROCS+1)
// makes most calls of a busy client dial, and in production handshake TLS,
// anew; with this many, a client shared by up to PoolSize goroutines keeps
// one connection per goroutine.
const PoolSize = 100

// NewPool returns the HTTP transport a client uses when the caller gives
// none: net/http's defaults (proxy from the environment, HTTP/2, dial and
// TLS timeouts), with an idle pool sized for concurrent use. It is never
// http.DefaultTransport, which the whole process shares.
func NewPool() *http.Transport {
	return &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: (&net.Dialer{
			Timeout:   30 * time.Second,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          PoolSize,
		MaxIdleConnsPerHost:   PoolSize,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
}

// errAttemptTimeout is the cause of an attempt that outlived the HTTP
// client's Timeout.
var errAttemptTimeout = errors.New("no answer within the HTTP client's timeout")

// perAttempt returns the client retryablehttp sends through: a copy of hc
// whose Transport enforces hc.Timeout on each attempt with a context
// deadline, and whose own Timeout is zero.
//
// Two things are at stake. retryablehttp calls CloseIdleConnections on its
// client whenever a call fails, which would drop every idle connection of a
// pool that all the client's calls share: the wrapper does not pass that
// on. And net/http enforces Client.Timeout cheaply only for its own
// *http.Transport; behind any other RoundTripper it falls back to a
// goroutine and a timer per request. With the timeout moved into the
// request's context and Client.Timeout zero, net/http does nothing extra.
func perAttempt(hc *http.Client) *http.Client {
	cp := *hc
	cp.Transport = attemptTransport{rt: hc.Transport, timeout: hc.Timeout}
	cp.Timeout = 0
	return &cp
}

type attemptTransport struct {
	rt      http.RoundTripper
	timeout time.Duration
}

func (t attemptTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := handOver(req); err != nil {
		return nil, err
	}
	if t.timeout <= 0 {
		resp, err := t.rt.RoundTrip(req)
		setRequest(resp, req)
		return resp, err
	}
	parent := req.Context()
	ctx, cancel := context.WithTimeout(parent, t.timeout)
	resp, err := t.rt.RoundTrip(req.WithContext(ctx))
	if err != nil {
		err = timeoutCause(err, ctx, parent)
		cancel()
		return nil, err
	}
	setRequest(resp, req)
	// The deadline covers reading the answer too, as Client.Timeout does:
	// it ends when the body is closed.
	resp.Body = &attemptBody{ReadCloser: resp.Body, ctx: ctx, parent: parent, cancel: cancel}
	return resp, nil
}

// setRequest sets the request of an answer that a RoundTripper other than
// net/http's left without one: the transport finds the call an answer
// belongs to through its request.
func setRequest(resp *http.Response, req *http.Request) {
	if resp != nil && resp.Request == nil {
		resp.Request = req
	}
}

// timeoutCause names the client's timeout as the cause of an attempt's
// failure when it, and not the caller's context, ended the attempt.
func timeoutCause(err error, ctx, parent context.Context) error {
	if ctx.Err() == context.DeadlineExceeded && parent.Err() == nil {
		return errAttemptTimeout
	}
	return err
}

type attemptBody struct {
	io.ReadCloser
	ctx, parent context.Context
	cancel      context.CancelFunc
}

func (b *attemptBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF {
		err = timeoutCause(err, b.ctx, b.parent)
	}
	return n, err
}

func (b *attemptBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}
