package kpayment_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/testkit"
	"github.com/restrictkit/restrict/kpayment"
)

// The Basic header is RFC 7617's base64 of user:password over the UTF-8
// bytes; the wanted values were computed with printf '…' | base64.
func TestBasicHeader(t *testing.T) {
	t.Parallel()
	tests := []struct {
		creds kpayment.Credentials
		want  string
	}{
		{basicCreds, testBasic},
		{kpayment.Credentials{Username: "ops@dealer", Password: "pässwörd €"}, "Basic b3BzQGRlYWxlcjpww6Rzc3fDtnJkIOKCrA=="},
	}
	for _, tt := range tests {
		c, _, rec := newMocked(t, tt.creds, nil)
		_, err := c.BlockCustomer(context.Background(), custUUID, kpayment.BlockCustomerRequest{})
		require.NoError(t, err)
		require.Equal(t, tt.want, rec.Requests()[0].Header.Get("Authorization"))
	}
}

func TestBearerHeader(t *testing.T) {
	t.Parallel()
	c, _, rec := newMocked(t, kpayment.Credentials{Token: testToken}, nil)
	_, err := c.BlockCustomer(context.Background(), custUUID, kpayment.BlockCustomerRequest{})
	require.NoError(t, err)
	got := rec.Requests()[0].Header
	require.Equal(t, []string{"Bearer " + testToken}, got.Values("Authorization"))
}

// Every attempt carries the credentials, retries included, and nothing
// else is signed: the body is sent as encoded.
func TestEveryAttemptIsSigned(t *testing.T) {
	t.Parallel()
	for _, creds := range []kpayment.Credentials{basicCreds, {Token: testToken}} {
		c, mt, rec := newMocked(t, creds, []testkit.Answer{{Status: 503, Body: "busy"}, {Status: 502, Body: "bad gateway"}, {Status: 200, Body: "{}"}}, fastRetry)
		res, err := c.BlockCustomer(context.Background(), custUUID, kpayment.BlockCustomerRequest{OnlinePayment: restrict.Ptr(true)})
		require.NoError(t, err)
		require.Equal(t, 3, res.Attempts)
		require.Equal(t, 3, mt.GetTotalCallCount())
		want := testBasic
		if creds.Token != "" {
			want = "Bearer " + testToken
		}
		for _, s := range rec.Requests() {
			require.Equal(t, want, s.Header.Get("Authorization"))
			require.Equal(t, `{"onlinePayment":true}`, string(s.Body))
		}
	}
}
