package walletplatform_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/walletplatform"
	"github.com/restrictkit/restrict/walletplatform/walletplatformtest"
)

const (
	baseURL  = "https://wallets.example.com/platform/wallets"
	freezeAt = "https://wallets.example.com/platform/wallets/accounts/freeze-unfreeze"
	loginAt  = "https://wallets.example.com/api/v1/users/login/platform/public"

	apiKey   = "6987f1c0-f01f-4b31-86e5-416ccaa906de"
	staticTk = "static-bearer-token-0123456789"
	passID   = "pass-id-s3cr3t-value"
)

var fastRetry = restrict.WithRetry(restrict.RetryPolicy{MaxAttempts: 3, MinWait: time.Millisecond, MaxWait: 10 * time.Millisecond})

func staticCreds() walletplatform.Credentials {
	return walletplatform.Credentials{APIKey: apiKey, Token: staticTk}
}

func loginCreds() walletplatform.Credentials {
	return walletplatform.Credentials{APIKey: apiKey, Username: "tech@example.com", PassID: passID}
}

// newMocked returns a client whose requests go to a fresh MockTransport.
func newMocked(t *testing.T, creds walletplatform.Credentials, opts ...restrict.Option) (*walletplatform.Client, *httpmock.MockTransport) {
	t.Helper()
	mt := httpmock.NewMockTransport()
	opts = append([]restrict.Option{restrict.WithBaseURL(baseURL), restrict.WithHTTPClient(&http.Client{Transport: mt}), fastRetry}, opts...)
	c, err := walletplatform.New(creds, opts...)
	require.NoError(t, err)
	return c, mt
}

// answer is a responder with a body and a Content-Type ("" sends none).
func answer(status int, contentType, body string) httpmock.Responder {
	return func(*http.Request) (*http.Response, error) {
		res := httpmock.NewStringResponse(status, body)
		if contentType != "" {
			res.Header.Set("Content-Type", contentType)
		}
		return res, nil
	}
}

const (
	jsonCT = "application/json; charset=utf-8"
	xmlCT  = "application/xml"
)

const okJSON = `{"status":true,"statusCode":0,"message":"Account freeze successful","data":{},"errors":[]}`

// seen records the requests a responder received, with their bodies.
type seen struct {
	mu   sync.Mutex
	reqs []*http.Request
	body []string
}

func (s *seen) wrap(r httpmock.Responder) httpmock.Responder {
	return func(req *http.Request) (*http.Response, error) {
		var b []byte
		if req.Body != nil {
			b, _ = io.ReadAll(req.Body)
		}
		s.mu.Lock()
		s.reqs = append(s.reqs, req)
		s.body = append(s.body, string(b))
		s.mu.Unlock()
		return r(req)
	}
}

func (s *seen) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.reqs)
}

// jwt builds an unsigned JWT-shaped token expiring at exp; the client
// reads exp without verifying.
func jwt(t *testing.T, sub string, exp time.Time) string {
	t.Helper()
	claims, err := json.Marshal(map[string]any{"sub": sub, "exp": exp.Unix()})
	require.NoError(t, err)
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc(claims) + ".c2ln"
}

// clock is a settable clock, safe for concurrent use.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// fakeCreds are the credentials fakeClient starts its fake with, and
// logs in with.
var fakeCreds = walletplatform.Credentials{APIKey: walletplatformtest.APIKey, Username: walletplatformtest.Username, PassID: walletplatformtest.PassID}

// fakeClient starts a fake platform and a client that logs in to it.
func fakeClient(t *testing.T, opts ...restrict.Option) (*walletplatform.Client, *walletplatformtest.Server) {
	t.Helper()
	srv := walletplatformtest.NewServer(fakeCreds)
	t.Cleanup(srv.Close)
	opts = append([]restrict.Option{restrict.WithBaseURL(srv.BaseURL()), fastRetry}, opts...)
	c, err := walletplatform.New(fakeCreds, opts...)
	require.NoError(t, err)
	return c, srv
}

// freeze is FreezeAccount of one account.
func freeze(ctx context.Context, c *walletplatform.Client, id string) (*walletplatform.FreezeAccountResult, error) {
	return c.FreezeAccount(ctx, walletplatform.FreezeAccountRequest{AccountID: id})
}

// unfreeze is UnfreezeAccount of one account.
func unfreeze(ctx context.Context, c *walletplatform.Client, id string) (*walletplatform.UnfreezeAccountResult, error) {
	return c.UnfreezeAccount(ctx, walletplatform.UnfreezeAccountRequest{AccountID: id})
}

// requireNoSecret checks an error message for every credential.
func requireNoSecret(t *testing.T, err error, secrets ...string) {
	t.Helper()
	require.Error(t, err)
	for _, s := range append([]string{apiKey, staticTk, passID}, secrets...) {
		require.NotContains(t, err.Error(), s)
	}
}

func apiError(t *testing.T, err error) *restrict.APIError {
	t.Helper()
	var ae *restrict.APIError
	require.ErrorAs(t, err, &ae)
	return ae
}
