package bench

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
)

// sent is one request as the server received it.
type sent struct {
	Method, RequestURI string
	Header             http.Header
	Body               string
}

// TestPlainSendsWhatSDKSends holds the comparison honest: for every
// provider the plain call puts on the wire exactly the request the SDK
// sends (method, path, query, every header, signature included, and the
// body byte for byte), dated by the same clock.
func TestPlainSendsWhatSDKSends(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	for _, p := range providers {
		p := p
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			var got []sent
			h := answer(p)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				mu.Lock()
				got = append(got, sent{r.Method, r.RequestURI, r.Header.Clone(), string(b)})
				mu.Unlock()
				r.Body = http.NoBody
				h.ServeHTTP(w, r)
			}))
			defer srv.Close()
			base := srv.URL + p.path
			ctx := context.Background()

			sdkTr, plainTr := newTransport(), newTransport()
			defer sdkTr.CloseIdleConnections()
			defer plainTr.CloseIdleConnections()
			c, err := p.newSDK(base, restrict.WithHTTPClient(&http.Client{Transport: sdkTr}),
				restrict.WithClock(func() time.Time { return now }))
			require.NoError(t, err)
			res, err := c.Restrict(ctx, restrict.Target{ID: targetID})
			require.NoError(t, err)
			require.Equal(t, restrict.StateRestricted, res.State)
			require.NoError(t, p.plain(ctx, &http.Client{Transport: plainTr}, base, targetID, now))

			require.Len(t, got, 2)
			require.Equal(t, p.method, got[0].Method)
			require.Equal(t, p.path+p.requestURI, got[0].RequestURI)
			require.Equal(t, got[0], got[1], "the plain call must send what the SDK sends")
		})
	}
}
