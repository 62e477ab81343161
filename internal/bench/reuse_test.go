package bench

import (
	"io"
	"net/http"
	"net/http/httptrace"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/transport"
)

// reuse follows, request by request, what the SDK did with each answer and
// what net/http then did with its connection, so that a test can count
// connections exactly instead of hoping for one.
//
// net/http puts a connection back in its pool only once its read loop has
// seen the answer's body read to io.EOF and has confirmed that the
// request's write finished; it waits 50 ms for that confirmation
// (maxWriteWaitBeforeConnReuse), and when the process is starved for
// longer, it closes the connection although nothing was wrong with it.
// That is the one way a well-behaved client opens a second connection for
// sequential calls, and only the trace shows it: PutIdleConn is then never
// called. Everything the SDK is responsible for is checked per request:
// the answer read to its end and closed, no "Connection: close", and the
// pooled connection handed to the next request.
type reuse struct {
	rt   http.RoundTripper
	mu   sync.Mutex
	reqs []*exchange
}

// exchange is one request's record. Its hooks run on net/http's
// goroutines, hence mu.
type exchange struct {
	mu          sync.Mutex
	reused      bool // GotConn: the connection came from the pool
	pooled      bool // PutIdleConn(nil): net/http put it back after the answer
	eof, closed bool // the answer's body was read to io.EOF, and closed
	closeAsked  bool // the request or the answer asked to close the connection
}

// newReuse returns a tracker over the SDK's default pool, and the option
// that gives a client the same HTTP client New builds by default
// (transport.NewPool, a 30 s per-attempt timeout) with the tracker in it.
func newReuse() (*reuse, restrict.Option) {
	r := &reuse{rt: transport.NewPool()}
	return r, restrict.WithHTTPClient(&http.Client{Transport: r, Timeout: 30 * time.Second})
}

func (r *reuse) RoundTrip(req *http.Request) (*http.Response, error) {
	x := &exchange{closeAsked: req.Close}
	r.mu.Lock()
	r.reqs = append(r.reqs, x)
	r.mu.Unlock()
	// A call returns only after PutIdleConn has run, if it runs at all:
	// net/http releases a body's reader at EOF once the connection is back
	// in the pool. So the record is complete when the call returns.
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
		GotConn:     func(ci httptrace.GotConnInfo) { x.set(func() { x.reused = ci.Reused }) },
		PutIdleConn: func(err error) { x.set(func() { x.pooled = err == nil }) },
	}))
	resp, err := r.rt.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	x.set(func() { x.closeAsked = x.closeAsked || resp.Close })
	resp.Body = &watchedBody{ReadCloser: resp.Body, x: x}
	return resp, nil
}

// CloseIdleConnections passes on to the pool, so that a test can close it.
func (r *reuse) CloseIdleConnections() { r.rt.(*http.Transport).CloseIdleConnections() }

func (x *exchange) set(f func()) {
	x.mu.Lock()
	defer x.mu.Unlock()
	f()
}

// watchedBody records whether the SDK read an answer to its end and
// closed it.
type watchedBody struct {
	io.ReadCloser
	x *exchange
}

func (b *watchedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF {
		b.x.set(func() { b.x.eof = true })
	}
	return n, err
}

func (b *watchedBody) Close() error {
	b.x.set(func() { b.x.closed = true })
	return b.ReadCloser.Close()
}

// check holds the SDK to its part for every request, and requires the
// server to have accepted exactly one connection, plus one for each
// connection net/http declined to pool on its own (logged, with the
// request it followed).
func (r *reuse) check(t *testing.T, opened int64) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	require.NotEmpty(t, r.reqs)
	var dropped int64
	for i, x := range r.reqs {
		x.mu.Lock()
		defer x.mu.Unlock()
		require.True(t, x.eof, "request %d: the answer was read to its end", i)
		require.True(t, x.closed, "request %d: the answer was closed", i)
		require.False(t, x.closeAsked, "request %d: no Connection: close", i)
		if i == 0 {
			continue
		}
		if r.reqs[i-1].pooled {
			require.True(t, x.reused, "request %d: the connection the previous answer left in the pool was reused", i)
			continue
		}
		dropped++
		t.Logf("request %d dialed: net/http did not pool the previous connection, though its answer was read to the end and closed (it drops one whose write it has not seen confirmed within 50 ms)", i)
	}
	require.EqualValues(t, 1+dropped, opened, "TCP connections opened for %d sequential requests", len(r.reqs))
}
