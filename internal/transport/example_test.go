package transport_test

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/transport"
)

// How a provider package describes itself once and then makes calls: a
// signer over the exact bytes sent, and an idempotent operation with a path
// parameter.
func Example() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		sum := md5.Sum(append(body, "key"...))
		fmt.Println(r.Method, r.URL.EscapedPath(), string(body), r.Header.Get("Sign") == hex.EncodeToString(sum[:]))
		_, _ = io.WriteString(w, `{"status":"blocked"}`)
	}))
	defer srv.Close()

	sign := transport.SignerFunc(func(_ context.Context, a *transport.Attempt) error {
		sum := md5.Sum(append(a.Body[:len(a.Body):len(a.Body)], "key"...))
		a.Header.Set("Sign", hex.EncodeToString(sum[:]))
		return nil
	})
	c, err := transport.New(transport.Config{Provider: "example", Signer: sign, Secrets: transport.NewSecrets("key"), SecretHeaders: []string{"Sign"}},
		[]restrict.Option{restrict.WithBaseURL(srv.URL)})
	if err != nil {
		panic(err)
	}
	var out struct{ Status string }
	meta, err := c.Do(context.Background(), &transport.Operation{
		Name: "Block", Method: http.MethodPost, Path: "/v1/wallets/{id}/block",
		PathParams: map[string]string{"id": "w 1"}, Body: map[string]bool{"refund": false}, Idempotent: true,
	}, &out)
	fmt.Println(out.Status, meta.StatusCode, meta.Attempts, err)
	// Output:
	// POST /v1/wallets/w%201/block {"refund":false} true
	// blocked 200 1 <nil>
}
