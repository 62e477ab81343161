package cryptomus

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
)

func TestNewValidates(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		creds Credentials
		opts  []restrict.Option
		field string
	}{
		"no merchant": {Credentials{PaymentKey: testKey}, nil, "MerchantID"},
		"no key":      {Credentials{MerchantID: testMerchant}, nil, "PaymentKey"},
		"bad url":     {Credentials{MerchantID: testMerchant, PaymentKey: testKey}, []restrict.Option{restrict.WithBaseURL("api.cryptomus.com")}, ""},
		"plain http":  {Credentials{MerchantID: testMerchant, PaymentKey: testKey}, []restrict.Option{restrict.WithBaseURL("http://api.cryptomus.com")}, ""},
	} {
		c, err := New(tc.creds, tc.opts...)
		require.Nil(t, c, name)
		require.ErrorIs(t, err, restrict.ErrInvalidRequest, name)
		var ae *restrict.APIError
		require.True(t, errors.As(err, &ae), name)
		require.Equal(t, "New", ae.Operation, name)
		if tc.field != "" {
			require.Contains(t, ae.Fields, tc.field, name)
		}
	}
	c, err := New(Credentials{MerchantID: testMerchant, PaymentKey: testKey})
	require.NoError(t, err)
	require.NotNil(t, c)
}

func TestCredentialsNeverPrintTheKey(t *testing.T) {
	t.Parallel()
	creds := Credentials{MerchantID: testMerchant, PaymentKey: testKey}
	c, err := New(creds)
	require.NoError(t, err)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		require.NotContains(t, fmt.Sprintf(verb, creds), testKey, verb)
		require.NotContains(t, fmt.Sprintf(verb, &creds), testKey, verb)
		require.NotContains(t, fmt.Sprintf(verb, c), testKey, verb)
		require.NotContains(t, fmt.Sprintf(verb, *c), testKey, verb)
	}
	require.Contains(t, fmt.Sprintf("%+v", creds), testMerchant, "the merchant ID is public and stays visible")

	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("creds", "creds", creds, "key", creds.PaymentKey)
	slog.New(slog.NewTextHandler(&buf, nil)).Info("creds", "creds", creds, "client", c)
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("client", "client", c, "value", *c)
	require.NotContains(t, buf.String(), testKey)

	b, err := json.Marshal(creds)
	require.NoError(t, err)
	require.NotContains(t, string(b), testKey)
}

// Two clients with different credentials side by side sign with their own.
func TestClientsAreIndependent(t *testing.T) {
	t.Parallel()
	a, err := New(Credentials{MerchantID: "m-a", PaymentKey: "key-a"})
	require.NoError(t, err)
	b, err := New(Credentials{MerchantID: "m-b", PaymentKey: "key-b"})
	require.NoError(t, err)
	require.NotEqual(t, *a.key, *b.key)
}
