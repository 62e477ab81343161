package customerv2_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/customerv2"
	"github.com/restrictkit/restrict/customerv2/customerv2test"
	"github.com/restrictkit/restrict/internal/testkit"
)

const base = "https://kuna.example"

var fastRetry = restrict.WithRetry(restrict.RetryPolicy{MaxAttempts: 3, MinWait: time.Millisecond, MaxWait: 10 * time.Millisecond})

var keyCreds = customerv2.Credentials{APIKey: "key-0123456789abcdef"}

var loginCreds = customerv2.Credentials{MerchantID: "m-42", Email: "ops@example.com", Password: "pw-0123456789abcdef"}

// respond registers a POST responder on path that records the request and
// answers status and body.
func respond(mt *httpmock.MockTransport, rec *testkit.Recorder, path string, status int, body string) {
	mt.RegisterResponder(http.MethodPost, base+path, rec.Wrap(func(*http.Request) (*http.Response, error) {
		resp := httpmock.NewStringResponse(status, body)
		resp.Header.Set("Content-Type", "application/json")
		return resp, nil
	}))
}

func newMock(t *testing.T, creds customerv2.Credentials, opts ...restrict.Option) (*customerv2.Client, *httpmock.MockTransport, *testkit.Recorder) {
	t.Helper()
	mt := httpmock.NewMockTransport()
	all := append([]restrict.Option{restrict.WithBaseURL(base), restrict.WithHTTPClient(&http.Client{Transport: mt}), fastRetry}, opts...)
	c, err := customerv2.New(creds, all...)
	require.NoError(t, err)
	return c, mt, testkit.NewRecorder()
}

// requireJSON compares a body with the expected JSON, parsed.
func requireJSON(t *testing.T, want string, got []byte) {
	t.Helper()
	require.JSONEq(t, want, string(got))
}

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

func bg() context.Context { return context.Background() }

var farFuture = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)

// customerID is a KunaCore customer ID as its docs show one.
const customerID = "6d962783-f0cf-420d-a511-3a48c71c5595"

// unknownID is a well-formed customer ID that no fake holds.
const unknownID = "00000000-0000-4000-8000-00000000dead"
