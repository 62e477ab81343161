package cryptomus

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/testkit"
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
	mt := httpmock.NewMockTransport()
	var rec testkit.Recorder
	mt.RegisterResponder(http.MethodPost, "https://api.cryptomus.com/v1/wallet/block-address",
		rec.Wrap(jsonResponder(200, `{"state":0,"result":{"uuid":"`+testWallet+`","status":"blocked"}}`)))
	for _, creds := range []Credentials{{MerchantID: "m-a", PaymentKey: "key-a"}, {MerchantID: "m-b", PaymentKey: "key-b"}} {
		c, err := New(creds, restrict.WithHTTPClient(&http.Client{Transport: mt}))
		require.NoError(t, err)
		_, err = c.BlockAddress(context.Background(), BlockAddressRequest{UUID: testWallet})
		require.NoError(t, err)
	}
	reqs := rec.Requests()
	require.Len(t, reqs, 2)
	for i, key := range []string{"key-a", "key-b"} {
		require.Equal(t, []string{"m-a", "m-b"}[i], reqs[i].Header.Get("merchant"))
		require.Equal(t, sign(reqs[i].Body, key), reqs[i].Header.Get("sign"))
	}
}

// Every credential is checked by New, naming the field; nothing else of
// it is refused (a merchant ID need not parse as a UUID, a key may hold any
// printable text).
func TestNewChecksEveryCredential(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		creds Credentials
		field string
	}{
		"merchant CRLF":  {Credentials{MerchantID: "m\r\nX: 1", PaymentKey: testKey}, "MerchantID"},
		"merchant space": {Credentials{MerchantID: " m", PaymentKey: testKey}, "MerchantID"},
		"key NUL":        {Credentials{MerchantID: testMerchant, PaymentKey: "k\x00"}, "PaymentKey"},
		"key blank":      {Credentials{MerchantID: testMerchant, PaymentKey: "   "}, "PaymentKey"},
	} {
		_, err := New(tc.creds)
		require.ErrorIs(t, err, restrict.ErrInvalidRequest, name)
		var ae *restrict.APIError
		require.ErrorAs(t, err, &ae, name)
		require.Equal(t, map[string][]string{tc.field: ae.Fields[tc.field]}, ae.Fields, name)
		require.Contains(t, err.Error(), tc.field, name)
		require.NotContains(t, err.Error(), "k\x00", name)
	}
	_, err := New(Credentials{MerchantID: "merchant-1", PaymentKey: "conformance&payment<key>/6f1e2d"})
	require.NoError(t, err)
}
