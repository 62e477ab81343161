package bench

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/restrictkit/restrict"
)

// clientTimeout is the http.Client Timeout of both sides: the SDK's own
// default is set, so a plain client without one would be measured on
// net/http's cheaper path and the comparison would not be like for like.
const clientTimeout = 30 * time.Second

// BenchmarkRestrict compares, per provider, the SDK client's Restrict
// (sdk) with the same request sent and the same answer decoded with
// net/http and encoding/json alone (plain), against one loopback server in
// the same run. Each side has its own http.Transport of the same settings
// and an http.Client with the same Timeout, warmed by one call before the
// timer starts, so neither pays for a dial.
func BenchmarkRestrict(b *testing.B) {
	for _, p := range providers {
		p := p
		b.Run(p.name, func(b *testing.B) {
			srv := httptest.NewServer(answer(p))
			defer srv.Close()
			base := srv.URL + p.path
			ctx := context.Background()

			b.Run("sdk", func(b *testing.B) {
				tr := newTransport()
				defer tr.CloseIdleConnections()
				c, err := p.newSDK(base, restrict.WithHTTPClient(&http.Client{Transport: tr, Timeout: clientTimeout}))
				if err != nil {
					b.Fatal(err)
				}
				target := restrict.Target{ID: targetID}
				if _, err := c.Restrict(ctx, target); err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					res, err := c.Restrict(ctx, target)
					if err != nil {
						b.Fatal(err)
					}
					if res.State != restrict.StateRestricted {
						b.Fatalf("state %v", res.State)
					}
				}
			})

			b.Run("plain", func(b *testing.B) {
				tr := newTransport()
				defer tr.CloseIdleConnections()
				hc := &http.Client{Transport: tr, Timeout: clientTimeout}
				if err := p.plain(ctx, hc, base, targetID, time.Now()); err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if err := p.plain(ctx, hc, base, targetID, time.Now()); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}
