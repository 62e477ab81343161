package purse_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/testkit"
	"github.com/restrictkit/restrict/purse"
)

func TestNewValidatesCredentials(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		field string
		creds purse.Credentials
	}{
		{"Account", purse.Credentials{Key: "k", Secret: "s"}},
		{"Key", purse.Credentials{Account: testAccount, Secret: "s"}},
		{"Secret", purse.Credentials{Account: testAccount, Key: "k"}},
		{"Account", purse.Credentials{Account: " " + testAccount, Key: "k", Secret: "s"}},
		{"Key", purse.Credentials{Account: testAccount, Key: "k\r\nX-Injected: 1", Secret: "s"}},
		{"Secret", purse.Credentials{Account: testAccount, Key: "k", Secret: "s\x00"}},
	} {
		c, err := purse.New(tc.creds)
		require.Nil(t, c)
		requireFieldError(t, err, "New", tc.field)
	}
}

func TestNewAcceptsAnAccountOutsideTheNewerPattern(t *testing.T) {
	t.Parallel()
	// The older host documents no format for account; only a credential's
	// rules are checked.
	_, err := purse.New(purse.Credentials{Account: "merchant-42", Key: "k", Secret: "s"})
	require.NoError(t, err)
}

func TestNewRejectsBadOptions(t *testing.T) {
	t.Parallel()
	_, err := purse.New(testCreds, restrict.WithBaseURL("http://calypso.example"))
	require.ErrorIs(t, err, restrict.ErrInvalidRequest)
	_, err = purse.New(testCreds, restrict.WithBaseURL("not a url"))
	require.ErrorIs(t, err, restrict.ErrInvalidRequest)
}

func TestNewDefaultsToThePublishedHost(t *testing.T) {
	t.Parallel()
	c, _, rec := newMocked(t, []testkit.Answer{{Status: 200, Body: customerJSON}})
	_, err := c.GetCustomer(ctx(), purse.GetCustomerRequest{CustomerID: custID})
	require.NoError(t, err)
	require.Equal(t, purse.DefaultBaseURL+"/api/v1/customer-purse/customer/get", rec.Requests()[0].URL.String())
	require.Equal(t, "purse.Client{host: api.calypso.finance}", fmt.Sprint(c))
}

func TestSecretsNeverPrinted(t *testing.T) {
	t.Parallel()
	c, err := purse.New(testCreds)
	require.NoError(t, err)
	for _, v := range []any{testCreds, &testCreds, c, *c} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
			out := fmt.Sprintf(verb, v)
			require.NotContains(t, out, testSecret, verb)
			require.NotContains(t, out, testKey, verb)
		}
	}
	require.Contains(t, fmt.Sprintf("%+v", testCreds), testAccount)
	var buf bytes.Buffer
	for _, h := range []slog.Handler{slog.NewJSONHandler(&buf, nil), slog.NewTextHandler(&buf, nil)} {
		slog.New(h).Info("creds", "creds", testCreds, "client", c)
	}
	require.NotContains(t, buf.String(), testSecret)
	require.NotContains(t, buf.String(), testKey)
}

// TestErrorMessagesCarryNoSecret: a provider that echoes the request back
// must not leak the key, the secret or the signature through the error.
func TestErrorMessagesCarryNoSecret(t *testing.T) {
	t.Parallel()
	c, _, rec := newMocked(t, []testkit.Answer{{Status: 400, Body: `{"errorCode":"003","message":"Wrong sign for key ` + testKey + ` secret ` + testSecret + `"}`}})
	_, err := c.GetCustomer(ctx(), purse.GetCustomerRequest{CustomerID: custID})
	require.ErrorIs(t, err, restrict.ErrUnauthorized)
	require.NotContains(t, err.Error(), testKey)
	require.NotContains(t, err.Error(), testSecret)
	require.NotContains(t, err.Error(), rec.Requests()[0].Header.Get("Sign"))
	require.Contains(t, err.Error(), "[REDACTED]")
}

// TestCanceledContextSendsNothing: a call whose context has ended fails
// with the context's error, is not retried, and never reaches Calypso.
func TestCanceledContextSendsNothing(t *testing.T) {
	t.Parallel()
	c, srv := newFake(t)
	canceled, cancel := context.WithCancel(ctx())
	cancel()
	_, err := c.BlockCustomer(canceled, purse.BlockCustomerRequest{CustomerID: custID})
	require.ErrorIs(t, err, context.Canceled)
	var ae *restrict.APIError
	require.ErrorAs(t, err, &ae)
	require.Equal(t, "BlockCustomer", ae.Operation)
	require.Zero(t, srv.Requests())
}
