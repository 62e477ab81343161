package customerv2_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/customerv2"
)

func TestNewRequiresBaseURL(t *testing.T) {
	t.Parallel()
	_, err := customerv2.New(keyCreds)
	ae := requireAPIError(t, err, restrict.ErrInvalidRequest)
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
		{"both", customerv2.Credentials{APIKey: "k", MerchantID: "m", Email: "e@x", Password: "p"}, "APIKey"},
		{"key and email", customerv2.Credentials{APIKey: "k", Email: "e@x"}, "APIKey"},
		{"no merchant", customerv2.Credentials{Email: "e@x", Password: "p"}, "MerchantID"},
		{"no email", customerv2.Credentials{MerchantID: "m", Password: "p"}, "Email"},
		{"no password", customerv2.Credentials{MerchantID: "m", Email: "e@x"}, "Password"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := customerv2.New(tc.creds, restrict.WithBaseURL(base))
			ae := requireAPIError(t, err, restrict.ErrInvalidRequest)
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
	requireAPIError(t, err, restrict.ErrInvalidRequest)
}

func TestCredentialsNeverPrinted(t *testing.T) {
	t.Parallel()
	creds := customerv2.Credentials{APIKey: "key-SECRET-1", MerchantID: "m-1", Email: "e@x", Password: "pw-SECRET-2"}
	var out bytes.Buffer
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		fmt.Fprintf(&out, verb+"\n", creds)
	}
	slog.New(slog.NewTextHandler(&out, nil)).Info("creds", "creds", creds)
	slog.New(slog.NewJSONHandler(&out, nil)).Info("creds", "creds", creds)
	b, err := json.Marshal(creds)
	require.NoError(t, err)
	out.Write(b)
	require.NotContains(t, out.String(), "SECRET")
	require.Contains(t, out.String(), "m-1")
	require.Contains(t, out.String(), "[REDACTED]")
}

func TestAPIKeyModeOnTheWire(t *testing.T) {
	t.Parallel()
	c, mt, rec := newMock(t, keyCreds, restrict.WithUserAgent("test-agent"))
	respond(mt, rec, "/v2/customer/suspend", http.StatusCreated, `{"data":{"success":true}}`)

	res, err := c.Suspend(bg(), "6d962783-f0cf-420d-a511-3a48c71c5595")
	require.NoError(t, err)
	require.True(t, res.Success)
	require.Equal(t, http.StatusCreated, res.StatusCode)
	require.Equal(t, 1, res.Attempts)

	reqs := rec.all()
	require.Len(t, reqs, 1)
	r := reqs[0]
	require.Equal(t, http.MethodPost, r.Method)
	require.Equal(t, "/v2/customer/suspend", r.Path)
	require.Empty(t, r.Query)
	require.Equal(t, string(keyCreds.APIKey), r.Header.Get("api-key"))
	require.Empty(t, r.Header.Get("Authorization"))
	require.Empty(t, r.Header.Get("merchant_id"))
	require.Equal(t, "application/json", r.Header.Get("Content-Type"))
	require.Equal(t, "application/json", r.Header.Get("Accept"))
	require.Equal(t, "test-agent", r.Header.Get("User-Agent"))
	require.Equal(t, `{"id":"6d962783-f0cf-420d-a511-3a48c71c5595"}`, string(r.Body))
}

func TestLoginModeOnTheWire(t *testing.T) {
	t.Parallel()
	c, mt, rec := newMock(t, loginCreds)
	tok := jwt(farFuture, "1")
	respond(mt, rec, "/v2/auth/login", http.StatusCreated, `{"data":{"accessToken":"`+tok+`"}}`)
	respond(mt, rec, "/v2/customer/suspend", http.StatusOK, `{"data":{"success":true}}`)

	for i := 0; i < 2; i++ {
		_, err := c.Suspend(bg(), "6d962783-f0cf-420d-a511-3a48c71c5595")
		require.NoError(t, err)
	}

	reqs := rec.all()
	require.Len(t, reqs, 3, "one login, two calls")
	login := reqs[0]
	require.Equal(t, "/v2/auth/login", login.Path)
	require.Equal(t, "m-42", login.Header.Get("merchant_id"))
	require.Empty(t, login.Header.Get("Authorization"))
	require.Empty(t, login.Header.Get("api-key"))
	requireJSON(t, `{"email":"ops@example.com","password":"pw-0123456789abcdef"}`, login.Body)
	for _, r := range reqs[1:] {
		require.Equal(t, "/v2/customer/suspend", r.Path)
		require.Equal(t, "Bearer "+tok, r.Header.Get("Authorization"))
		require.Empty(t, r.Header.Get("merchant_id"), "merchant_id goes on the login call only")
		require.Empty(t, r.Header.Get("api-key"))
		requireJSON(t, `{"id":"6d962783-f0cf-420d-a511-3a48c71c5595"}`, r.Body)
	}
}

func TestLoginRefusedIsUnauthorizedAndNotRepeated(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status int
		body   string
	}{
		{http.StatusUnauthorized, `{"statusCode":401,"message":"Invalid credentials","error":"Unauthorized"}`},
		{http.StatusBadRequest, `{"statusCode":400,"message":["email must be an email"],"error":"Bad Request"}`},
		{http.StatusForbidden, `{"statusCode":403,"message":"Forbidden resource","error":"Forbidden"}`},
	} {
		t.Run(http.StatusText(tc.status), func(t *testing.T) {
			t.Parallel()
			c, mt, rec := newMock(t, loginCreds)
			respond(mt, rec, "/v2/auth/login", tc.status, tc.body)
			respond(mt, rec, "/v2/customer/suspend", http.StatusOK, `{"data":{"success":true}}`)

			_, err := c.Suspend(bg(), "6d962783-f0cf-420d-a511-3a48c71c5595")
			ae := requireAPIError(t, err, restrict.ErrUnauthorized)
			require.Equal(t, "Login", ae.Operation)
			require.Equal(t, tc.status, ae.StatusCode)
			require.NotContains(t, err.Error(), string(loginCreds.Password))
			require.Len(t, rec.all(), 1, "one login, no call, no second login")
			require.Equal(t, 1, mt.GetCallCountInfo()["POST "+base+"/v2/auth/login"])
		})
	}
}

func TestLoginWithoutTokenIsUnavailable(t *testing.T) {
	t.Parallel()
	c, mt, rec := newMock(t, loginCreds)
	respond(mt, rec, "/v2/auth/login", http.StatusOK, `{"data":{}}`)
	_, err := c.Suspend(bg(), "6d962783-f0cf-420d-a511-3a48c71c5595")
	ae := requireAPIError(t, err, restrict.ErrUnavailable)
	require.Contains(t, ae.Message, "accessToken")
	require.Len(t, rec.all(), 1)
}

func TestTokenNeverInErrors(t *testing.T) {
	t.Parallel()
	c, mt, rec := newMock(t, loginCreds)
	tok := jwt(farFuture, "1")
	respond(mt, rec, "/v2/auth/login", http.StatusOK, `{"data":{"accessToken":"`+tok+`"}}`)
	// A provider that echoes the request's credentials back.
	respond(mt, rec, "/v2/customer/details", http.StatusNotFound,
		`{"statusCode":404,"message":"no customer for token `+tok+` / password `+string(loginCreds.Password)+`","error":"Not Found"}`)
	_, err := c.CustomerDetails(bg(), "00000000-0000-4000-8000-00000000dead")
	requireAPIError(t, err, restrict.ErrNotFound)
	require.NotContains(t, err.Error(), tok)
	require.NotContains(t, err.Error(), strings.Split(tok, ".")[1])
	require.NotContains(t, err.Error(), string(loginCreds.Password))
}
