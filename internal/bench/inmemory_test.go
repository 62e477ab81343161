package bench

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/restrictkit/restrict"
)

// canned is an in-memory RoundTripper: it reads the request body and
// answers p's success body at once, with no network and no server. Both
// sides of BenchmarkInMemory use it, so what remains is the CPU
// and allocations of the client code alone.
type canned struct{ answer []byte }

func (c canned) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}
	return &http.Response{
		StatusCode:    http.StatusOK,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(bytes.NewReader(c.answer)),
		ContentLength: int64(len(c.answer)),
		Request:       r,
	}, nil
}

// BenchmarkInMemory is BenchmarkRestrict without the network: the
// client code's own cost, which the loopback numbers hide in noise.
func BenchmarkInMemory(b *testing.B) {
	for _, p := range providers {
		p := p
		b.Run(p.name, func(b *testing.B) {
			base := "http://127.0.0.1:1" + p.path
			ctx := context.Background()
			hc := &http.Client{Transport: canned{[]byte(p.answer)}}
			b.Run("sdk", func(b *testing.B) {
				c, err := p.newSDK(base, restrict.WithHTTPClient(hc))
				if err != nil {
					b.Fatal(err)
				}
				target := restrict.Target{ID: targetID}
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if _, err := c.Restrict(ctx, target); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("plain", func(b *testing.B) {
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
