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
// counts the TCP connections the server accepted: exactly one, so every
// answer was read to the end and its connection went back to the pool.
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

			c, err := p.newSDK(srv.URL + p.path)
			require.NoError(t, err)
			ctx := context.Background()
			for i := 0; i < calls; i++ {
				res, err := c.Restrict(ctx, restrict.Target{ID: targetID})
				require.NoError(t, err)
				require.Equal(t, restrict.StateRestricted, res.State)
			}
			require.EqualValues(t, 1, opened.Load(), "TCP connections opened for %d sequential calls", calls)
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
func TestConcurrentCallsKeepTheirConnections(t *testing.T) {
	const goroutines, calls, most = 64, 40, 96
	for _, p := range providers {
		p := p
		t.Run(p.name, func(t *testing.T) {
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
			t.Logf("%s: %d connections for %d calls from %d goroutines", p.name, opened.Load(), goroutines*calls, goroutines)
			require.LessOrEqual(t, opened.Load(), int64(most), "TCP connections opened")
		})
	}
}

// TestLoginClientSharesOneConnection: a SABI client that logs in reaches two
// services (users and wallets); with the SDK's default HTTP client both go
// through one pool, so the login and ten calls on one host use one
// connection.
func TestLoginClientSharesOneConnection(t *testing.T) {
	t.Parallel()
	h := walletplatformtest.NewHandler()
	h.AddAccount("acc-1")
	var opened atomic.Int64
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			opened.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	c, err := walletplatform.New(walletplatform.Credentials{
		APIKey: walletplatformtest.APIKey, Username: walletplatformtest.Username, PassID: walletplatformtest.PassID,
	}, restrict.WithBaseURL(srv.URL+walletplatformtest.WalletsPath))
	require.NoError(t, err)
	for i := 0; i < 10; i++ {
		_, err := c.Restrict(context.Background(), restrict.Target{ID: "acc-1"})
		require.NoError(t, err)
	}
	require.Equal(t, 1, h.Logins())
	require.EqualValues(t, 1, opened.Load())
}
