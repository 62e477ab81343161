package customerv2_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/customerv2"
	"github.com/restrictkit/restrict/customerv2/customerv2test"
)

const base = "https://kuna.example"

var fastRetry = restrict.WithRetry(restrict.RetryPolicy{MaxAttempts: 3, MinWait: time.Millisecond, MaxWait: 10 * time.Millisecond})

var keyCreds = customerv2.Credentials{APIKey: "key-0123456789abcdef"}

var loginCreds = customerv2.Credentials{MerchantID: "m-42", Email: "ops@example.com", Password: "pw-0123456789abcdef"}

// seen is one request as the mock received it.
type seen struct {
	Method string
	Path   string
	Query  string
	Header http.Header
	Body   []byte
}

// recorder records every request the mock transport answers.
type recorder struct {
	mu   sync.Mutex
	reqs []seen
}

func (r *recorder) add(req *http.Request) {
	var b []byte
	if req.Body != nil {
		b, _ = io.ReadAll(req.Body)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reqs = append(r.reqs, seen{Method: req.Method, Path: req.URL.EscapedPath(), Query: req.URL.RawQuery, Header: req.Header.Clone(), Body: b})
}

func (r *recorder) all() []seen {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]seen(nil), r.reqs...)
}

// respond registers a POST responder on path that records the request and
// answers status and body.
func respond(mt *httpmock.MockTransport, rec *recorder, path string, status int, body string) {
	mt.RegisterResponder(http.MethodPost, base+path, func(req *http.Request) (*http.Response, error) {
		rec.add(req)
		resp := httpmock.NewStringResponse(status, body)
		resp.Header.Set("Content-Type", "application/json")
		return resp, nil
	})
}

func newMock(t *testing.T, creds customerv2.Credentials, opts ...restrict.Option) (*customerv2.Client, *httpmock.MockTransport, *recorder) {
	t.Helper()
	mt := httpmock.NewMockTransport()
	all := append([]restrict.Option{restrict.WithBaseURL(base), restrict.WithHTTPClient(&http.Client{Transport: mt}), fastRetry}, opts...)
	c, err := customerv2.New(creds, all...)
	require.NoError(t, err)
	return c, mt, &recorder{}
}

// requireJSON compares a body with the expected JSON, parsed.
func requireJSON(t *testing.T, want string, got []byte) {
	t.Helper()
	require.JSONEq(t, want, string(got))
}

// jwt builds an unsigned-looking JWT with an exp claim, as a provider would
// issue; the client never verifies it.
func jwt(exp time.Time, jti string) string {
	payload, _ := json.Marshal(map[string]any{"exp": exp.Unix(), "jti": jti})
	return b64url(`{"alg":"HS256","typ":"JWT"}`) + "." + b64url(string(payload)) + ".c2lnbmF0dXJl"
}

func b64url(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// clock is a settable clock shared by a client and the fake.
type clock struct{ ns atomic.Int64 }

func newClock(t time.Time) *clock {
	c := &clock{}
	c.ns.Store(t.UnixNano())
	return c
}

func (c *clock) Now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *clock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// newFake starts a fake that accepts creds.
func newFake(t *testing.T, creds customerv2.Credentials) *customerv2test.Server {
	t.Helper()
	srv := customerv2test.NewServer(creds)
	t.Cleanup(srv.Close)
	return srv
}

func fakeKeyCreds() customerv2.Credentials {
	return customerv2.Credentials{APIKey: customerv2test.APIKey}
}

func fakeLoginCreds() customerv2.Credentials {
	return customerv2.Credentials{MerchantID: customerv2test.MerchantID, Email: customerv2test.Email, Password: customerv2test.Password}
}

// newFakeClient builds a client of the fake that sends creds.
func newFakeClient(t *testing.T, srv *customerv2test.Server, creds customerv2.Credentials, opts ...restrict.Option) *customerv2.Client {
	t.Helper()
	c, err := customerv2.New(creds, append([]restrict.Option{restrict.WithBaseURL(srv.BaseURL()), fastRetry}, opts...)...)
	require.NoError(t, err)
	return c
}

func requireAPIError(t *testing.T, err error, class error) *restrict.APIError {
	t.Helper()
	require.Error(t, err)
	require.ErrorIs(t, err, class)
	var ae *restrict.APIError
	require.ErrorAs(t, err, &ae)
	return ae
}

func bg() context.Context { return context.Background() }

var farFuture = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)

// customerID is a KunaCore customer ID as its docs show one.
const customerID = "6d962783-f0cf-420d-a511-3a48c71c5595"

// unknownID is a well-formed customer ID that no fake holds.
const unknownID = "00000000-0000-4000-8000-00000000dead"
