package kpayment_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/testkit"
	"github.com/restrictkit/restrict/kpayment"
)

func TestNewValidatesCredentials(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		creds  kpayment.Credentials
		fields []string
	}{
		{"neither", kpayment.Credentials{}, []string{"Username", "Password", "Token"}},
		{"both", kpayment.Credentials{Username: "u", Password: "p", Token: "t"}, []string{"Username", "Token"}},
		{"token and username", kpayment.Credentials{Username: "u", Token: "t"}, []string{"Username", "Token"}},
		{"token and password", kpayment.Credentials{Password: "p", Token: "t"}, []string{"Username", "Token"}},
		{"no password", kpayment.Credentials{Username: "u"}, []string{"Password"}},
		{"no username", kpayment.Credentials{Password: "p"}, []string{"Username"}},
		{"blank username", kpayment.Credentials{Username: "  ", Password: "p"}, []string{"Username"}},
		{"blank password", kpayment.Credentials{Username: "u", Password: " "}, []string{"Password"}},
		{"colon in username", kpayment.Credentials{Username: "a:b", Password: "p"}, []string{"Username"}},
		{"newline in username", kpayment.Credentials{Username: "a\nb", Password: "p"}, []string{"Username"}},
		{"space around username", kpayment.Credentials{Username: " u", Password: "p"}, []string{"Username"}},
		{"newline in password", kpayment.Credentials{Username: "u", Password: "p\r\nX-Evil: 1"}, []string{"Password"}},
		{"space around password", kpayment.Credentials{Username: "u", Password: "p "}, []string{"Password"}},
		{"blank token", kpayment.Credentials{Token: "   "}, []string{"Token"}},
		{"space inside token", kpayment.Credentials{Token: "abc def"}, []string{"Token"}},
		{"two prefixes", kpayment.Credentials{Token: "Bearer Bearer abc"}, []string{"Token"}},
		{"control in token", kpayment.Credentials{Token: "abc\x00"}, []string{"Token"}},
		{"newline in token", kpayment.Credentials{Token: "abc\r\nX-Evil: 1"}, []string{"Token"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := kpayment.New(tt.creds)
			require.Nil(t, c)
			ae := testkit.RequireAPIError(t, err, kpayment.Provider, restrict.ErrInvalidRequest)
			require.Equal(t, "New", ae.Operation)
			require.Len(t, ae.Fields, len(tt.fields))
			for _, f := range tt.fields {
				require.Contains(t, ae.Fields, f)
				require.Contains(t, err.Error(), f, "the message names the field")
			}
			require.NotContains(t, err.Error(), "X-Evil")
		})
	}
}

// A "Bearer " prefix is the one rule every provider shares: stripped, in
// any case and with any white space around it, never refused.
func TestNewStripsABearerPrefix(t *testing.T) {
	t.Parallel()
	for _, token := range []string{testToken, "Bearer " + testToken, "bearer " + testToken, "BEARER " + testToken, "  Bearer " + testToken + "\t"} {
		t.Run(token, func(t *testing.T) {
			t.Parallel()
			c, _, rec := newMocked(t, kpayment.Credentials{Token: restrict.Secret(token)}, nil)
			_, err := c.BlockCustomer(context.Background(), custUUID, kpayment.BlockCustomerRequest{})
			require.NoError(t, err)
			require.Equal(t, "Bearer "+testToken, rec.Requests()[0].Header.Get("Authorization"))
		})
	}
}

func TestNewAcceptsEitherCredential(t *testing.T) {
	t.Parallel()
	for _, creds := range []kpayment.Credentials{basicCreds, {Token: testToken}} {
		c, err := kpayment.New(creds)
		require.NoError(t, err)
		require.NotNil(t, c)
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	t.Parallel()
	_, err := kpayment.New(basicCreds, restrict.WithBaseURL("http://example.com/payment"))
	ae := testkit.RequireAPIError(t, err, kpayment.Provider, restrict.ErrInvalidRequest)
	require.Contains(t, ae.Message, "plain http")

	_, err = kpayment.New(basicCreds, kpayment.WithRestrictRequest(kpayment.BlockCustomerRequest{CCLastFour: "12345"}))
	ae = testkit.RequireAPIError(t, err, kpayment.Provider, restrict.ErrInvalidRequest)
	require.Equal(t, "New", ae.Operation)
	require.Contains(t, ae.Message, "WithRestrictRequest")
	require.Contains(t, ae.Message, "ccLastFour")
}

func TestCredentialsAndClientNeverPrintSecrets(t *testing.T) {
	t.Parallel()
	for _, creds := range []kpayment.Credentials{basicCreds, {Token: testToken}} {
		c, err := kpayment.New(creds)
		require.NoError(t, err)
		var out bytes.Buffer
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
			fmt.Fprintf(&out, verb+"\n", creds)
			fmt.Fprintf(&out, verb+"\n", c)
			fmt.Fprintf(&out, verb+"\n", *c)
		}
		slog.New(slog.NewJSONHandler(&out, nil)).Info("creds", "creds", creds, "client", c)
		slog.New(slog.NewTextHandler(&out, nil)).Info("creds", "creds", creds)
		b, err := json.Marshal(creds)
		require.NoError(t, err)
		out.Write(b)

		s := out.String()
		require.NotContains(t, s, testPass)
		require.NotContains(t, s, testToken)
		require.NotContains(t, s, strings.TrimPrefix(testBasic, "Basic "))
		require.Contains(t, s, "[REDACTED]")
		require.Contains(t, s, "kpayment.Client{host: api.mykaarma.com}")
	}
}

func TestTwoClientsSideBySide(t *testing.T) {
	t.Parallel()
	a, _, recA := newMocked(t, basicCreds, nil)
	b, _, recB := newMocked(t, kpayment.Credentials{Token: testToken}, nil)
	_, err := a.BlockCustomer(context.Background(), custUUID, kpayment.BlockCustomerRequest{})
	require.NoError(t, err)
	_, err = b.BlockCustomer(context.Background(), custUUID, kpayment.BlockCustomerRequest{})
	require.NoError(t, err)
	require.Equal(t, testBasic, recA.Requests()[0].Header.Get("Authorization"))
	require.Equal(t, "Bearer "+testToken, recB.Requests()[0].Header.Get("Authorization"))
}

// An option may be given to several clients at once and stays as it was.
func TestWithRestrictRequestIsSafeToShare(t *testing.T) {
	t.Parallel()
	opt := kpayment.WithRestrictRequest(kpayment.BlockCustomerRequest{InvoiceGUID: "inv-1"})
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := kpayment.New(kpayment.Credentials{Username: "u", Password: "p-123456"}, opt)
			require.NoError(t, err)
		}()
	}
	wg.Wait()
}
