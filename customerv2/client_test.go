package customerv2_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/customerv2"
	"github.com/restrictkit/restrict/internal/testkit"
)

func TestNewRequiresBaseURL(t *testing.T) {
	t.Parallel()
	_, err := customerv2.New(keyCreds)
	ae := testkit.RequireAPIError(t, err, customerv2.Provider, restrict.ErrInvalidRequest)
	require.Equal(t, "New", ae.Operation)
	require.Contains(t, err.Error(), "KunaCore publishes no base URL")
	require.Contains(t, err.Error(), "restrict.WithBaseURL")
}

func TestNewCredentials(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		creds customerv2.Credentials
		field string
	}{
		{"neither", customerv2.Credentials{}, "APIKey"},
		{"blank key", customerv2.Credentials{APIKey: "  "}, "APIKey"},
		{"key with a newline", customerv2.Credentials{APIKey: "key\r\nX-Evil: 1"}, "APIKey"},
		{"key padded", customerv2.Credentials{APIKey: " key-0123 "}, "APIKey"},
		{"both", customerv2.Credentials{APIKey: "k", MerchantID: "m", Email: "e@x", Password: "p"}, "APIKey"},
		{"key and email", customerv2.Credentials{APIKey: "k", Email: "e@x"}, "APIKey"},
		{"no merchant", customerv2.Credentials{Email: "e@x", Password: "p"}, "MerchantID"},
		{"no email", customerv2.Credentials{MerchantID: "m", Password: "p"}, "Email"},
		{"no password", customerv2.Credentials{MerchantID: "m", Email: "e@x"}, "Password"},
		{"blank merchant", customerv2.Credentials{MerchantID: " ", Email: "e@x", Password: "p"}, "MerchantID"},
		{"email with a tab", customerv2.Credentials{MerchantID: "m", Email: "e@x\t", Password: "p"}, "Email"},
		{"password with a newline", customerv2.Credentials{MerchantID: "m", Email: "e@x", Password: "p\n"}, "Password"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := customerv2.New(tc.creds, restrict.WithBaseURL(base))
			ae := testkit.RequireAPIError(t, err, customerv2.Provider, restrict.ErrInvalidRequest)
			require.Equal(t, "New", ae.Operation)
			require.Len(t, ae.Fields, 1)
			require.Contains(t, ae.Fields, tc.field)
			require.Contains(t, err.Error(), tc.field)
		})
	}
	for _, creds := range []customerv2.Credentials{keyCreds, loginCreds} {
		_, err := customerv2.New(creds, restrict.WithBaseURL(base))
		require.NoError(t, err)
	}
}

func TestNewRefusesPlainHTTPToRemoteHost(t *testing.T) {
	t.Parallel()
	_, err := customerv2.New(keyCreds, restrict.WithBaseURL("http://kuna.example"))
	testkit.RequireAPIError(t, err, customerv2.Provider, restrict.ErrInvalidRequest)
}

func TestNewRefusesBadOptions(t *testing.T) {
	t.Parallel()
	_, err := customerv2.New(keyCreds, restrict.WithBaseURL(base), restrict.WithRetry(restrict.RetryPolicy{MaxAttempts: 0}))
	ae := testkit.RequireAPIError(t, err, customerv2.Provider, restrict.ErrInvalidRequest)
	require.Contains(t, ae.Message, "MaxAttempts")
}

func TestCredentialsAndClientNeverPrinted(t *testing.T) {
	t.Parallel()
	creds := customerv2.Credentials{MerchantID: "m-1", Email: "e@x", Password: "pw-SECRET-2"}
	keyed := customerv2.Credentials{APIKey: "key-SECRET-1"}
	var out bytes.Buffer
	for _, v := range []any{creds, keyed} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
			fmt.Fprintf(&out, verb+"\n", v)
		}
		slog.New(slog.NewTextHandler(&out, nil)).Info("creds", "creds", v)
		slog.New(slog.NewJSONHandler(&out, nil)).Info("creds", "creds", v)
		b, err := json.Marshal(v)
		require.NoError(t, err)
		out.Write(b)
	}
	for _, cr := range []customerv2.Credentials{creds, keyed} {
		c, err := customerv2.New(cr, restrict.WithBaseURL(base))
		require.NoError(t, err)
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
			fmt.Fprintf(&out, verb+"\n", c)
			fmt.Fprintf(&out, verb+"\n", *c)
		}
		slog.New(slog.NewJSONHandler(&out, nil)).Info("client", "c", c)
	}
	require.NotContains(t, out.String(), "SECRET")
	require.Contains(t, out.String(), "m-1")
	require.Contains(t, out.String(), "[REDACTED]")
	require.Contains(t, out.String(), "customerv2.Client{host: kuna.example}")
}
