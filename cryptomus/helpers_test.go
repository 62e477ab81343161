package cryptomus

import (
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
)

const (
	testMerchant = "8b03432e-385b-4670-8d06-064591096795"
	testKey      = "test-payment-key"
	testWallet   = "fcc40793-39f9-4fa9-85b2-93148039a72b"
)

var fastRetry = restrict.WithRetry(restrict.RetryPolicy{MaxAttempts: 3, MinWait: time.Millisecond, MaxWait: 10 * time.Millisecond})

// captured is one request seen by httpmock.
type captured struct {
	Method string
	Path   string
	Query  string
	Header http.Header
	Body   []byte
}

// recorder collects the requests a responder sees.
type recorder struct {
	mu   sync.Mutex
	reqs []captured
}

func (r *recorder) wrap(t *testing.T, next httpmock.Responder) httpmock.Responder {
	return func(req *http.Request) (*http.Response, error) {
		var body []byte
		if req.Body != nil {
			b, err := io.ReadAll(req.Body)
			require.NoError(t, err)
			body = b
		}
		r.mu.Lock()
		r.reqs = append(r.reqs, captured{req.Method, req.URL.Path, req.URL.RawQuery, req.Header.Clone(), body})
		r.mu.Unlock()
		return next(req)
	}
}

func (r *recorder) all() []captured {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]captured(nil), r.reqs...)
}

// newMocked returns a client whose requests go to a fresh httpmock
// transport, never to the network.
func newMocked(t *testing.T, opts ...restrict.Option) (*Client, *httpmock.MockTransport) {
	t.Helper()
	mt := httpmock.NewMockTransport()
	opts = append([]restrict.Option{restrict.WithHTTPClient(&http.Client{Transport: mt})}, opts...)
	c, err := New(Credentials{MerchantID: testMerchant, PaymentKey: testKey}, opts...)
	require.NoError(t, err)
	return c, mt
}

// jsonResponder answers with status and a raw JSON body.
func jsonResponder(status int, body string) httpmock.Responder {
	return func(*http.Request) (*http.Response, error) {
		resp := httpmock.NewStringResponse(status, body)
		resp.Header.Set("Content-Type", "application/json")
		return resp, nil
	}
}

func requireJSON(t *testing.T, want string, got []byte) {
	t.Helper()
	require.JSONEq(t, want, string(got))
	require.True(t, json.Valid(got))
}
