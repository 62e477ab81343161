package bench

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/walletplatform"
	"github.com/restrictkit/restrict/walletplatform/walletplatformtest"
)

// TestSequentialCallsReuseOneConnection makes 1,000 Restrict calls one
// after the other on one client with the SDK's default HTTP client, and
// checks that every answer was read to the end and closed, and that its
// connection went back to the pool and served the next call: the server
// accepts one TCP connection. net/http itself may close a good connection
// when the process is starved (see reuse); such a drop is told apart
// through httptrace and counted, never taken for the SDK's.
func TestSequentialCallsReuseOneConnection(t *testing.T) {
	const calls = 1000
	for _, p := range providers {
		p := p
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			var opened atomic.Int64
			srv := httptest.NewUnstartedServer(answer(p))
			srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
				if s == http.StateNew {
					opened.Add(1)
				}
			}
			srv.Start()
			defer srv.Close()

			tracked, withTracked := newReuse()
			defer tracked.CloseIdleConnections()
			c, err := p.newSDK(srv.URL+p.path, withTracked)
			require.NoError(t, err)
			ctx := context.Background()
			for i := 0; i < calls; i++ {
				res, err := c.Restrict(ctx, restrict.Target{ID: targetID})
				require.NoError(t, err)
				require.Equal(t, restrict.StateRestricted, res.State)
			}
			tracked.check(t, opened.Load())
		})
	}
}

// TestConcurrentCallsKeepTheirConnections shares one client with the
// SDK's default HTTP client among 64 goroutines making 40 Restrict calls
// each, and counts the TCP connections the server accepted. A pool that
// keeps too few idle connections (net/http's 2 per host, go-cleanhttp's
// GOMAXPROCS+1) closes most connections as calls finish and dials anew for
// the next ones: thousands of connections, each a TLS handshake in
// production. The default pool keeps one per goroutine.
//
// A call's connection goes back to the pool on net/http's read loop, a
// moment after the caller has its answer; on a busy machine the caller's
// next call can start first and dial. Those extra dials stop once the pool
// holds a few spare connections, so the count settles somewhat above 64,
// and how far depends on scheduling. The test takes the best of three
// rounds: noise passes, a pool too small (hundreds of connections every
// round) does not.
func TestConcurrentCallsKeepTheirConnections(t *testing.T) {
	const goroutines, calls, most, rounds = 64, 40, 96, 3
	for _, p := range providers {
		p := p
		t.Run(p.name, func(t *testing.T) {
			best := int64(-1)
			for r := 0; r < rounds && (best < 0 || best > most); r++ {
				n := connectionsFor(t, p, goroutines, calls)
				t.Logf("%s round %d: %d connections for %d calls from %d goroutines", p.name, r+1, n, goroutines*calls, goroutines)
				if best < 0 || n < best {
					best = n
				}
			}
			require.LessOrEqual(t, best, int64(most), "TCP connections opened")
		})
	}
}

// connectionsFor counts the connections a new client with the default
// HTTP client opens for goroutines × calls concurrent Restrict calls.
func connectionsFor(t *testing.T, p provider, goroutines, calls int) int64 {
	var opened atomic.Int64
	srv := httptest.NewUnstartedServer(answer(p))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			opened.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	c, err := p.newSDK(srv.URL + p.path)
	require.NoError(t, err)
	var wg sync.WaitGroup
	errs := make(chan error, goroutines*calls)
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < calls; i++ {
				_, err := c.Restrict(context.Background(), restrict.Target{ID: targetID})
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	return opened.Load()
}

// TestLoginClientSharesOneConnection: a SABI client that logs in reaches two
// services (users and wallets); with the SDK's default HTTP client both go
// through one pool, so the login and ten calls on one host use one
// connection (counted as TestSequentialCallsReuseOneConnection counts).
func TestLoginClientSharesOneConnection(t *testing.T) {
	t.Parallel()
	creds := walletplatform.Credentials{APIKey: walletplatformtest.APIKey, Username: walletplatformtest.Username, PassID: walletplatformtest.PassID}
	h := walletplatformtest.NewServer(creds)
	defer h.Close()
	h.AddAccount("acc-1")
	var opened atomic.Int64
	srv := httptest.NewUnstartedServer(h.Handler())
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			opened.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	tracked, withTracked := newReuse()
	defer tracked.CloseIdleConnections()
	c, err := walletplatform.New(creds, restrict.WithBaseURL(srv.URL+walletplatformtest.WalletsPath), withTracked)
	require.NoError(t, err)
	for i := 0; i < 10; i++ {
		_, err := c.Restrict(context.Background(), restrict.Target{ID: "acc-1"})
		require.NoError(t, err)
	}
	require.Equal(t, 1, h.Logins())
	require.Len(t, tracked.reqs, 11, "one login and ten calls")
	tracked.check(t, opened.Load())
}
