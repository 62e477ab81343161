package cryptomus

import (
	"encoding/json"
	"net/http"
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
