package transport_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/transport"
)

// BenchmarkDo compares one transport call with the same call written by
// hand on net/http and encoding/json, against the same loopback server.
func BenchmarkDo(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"status":"blocked","uuid":"fcc40793-39f9-4fa9-85b2-93148039a72b"}`)
	}))
	defer srv.Close()
	type result struct{ Status, UUID string }
	body := map[string]string{"uuid": "fcc40793-39f9-4fa9-85b2-93148039a72b"}

	b.Run("sdk", func(b *testing.B) {
		c, err := transport.New(transport.Config{Provider: "bench", Signer: transport.SignerFunc(func(_ context.Context, a *transport.Attempt) error {
			a.Header.Set("sign", "x")
			return nil
		})}, []restrict.Option{restrict.WithBaseURL(srv.URL)})
		if err != nil {
			b.Fatal(err)
		}
		op := transport.Operation{Name: "BlockAddress", Method: http.MethodPost, Path: "/v1/wallet/block-address", Idempotent: true}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			o := op
			o.Body = body
			var out result
			if _, err := c.Do(context.Background(), &o, &out); err != nil || out.Status != "blocked" {
				b.Fatal(err)
			}
		}
	})
	b.Run("plain", func(b *testing.B) {
		hc := &http.Client{Transport: &http.Transport{}}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			payload, _ := json.Marshal(body)
			req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, srv.URL+"/v1/wallet/block-address", bytes.NewReader(payload))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("sign", "x")
			resp, err := hc.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			data, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var out result
			if err := json.Unmarshal(data, &out); err != nil || out.Status != "blocked" {
				b.Fatal(err)
			}
		}
	})
}
