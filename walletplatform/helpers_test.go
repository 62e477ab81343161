package walletplatform_test

import (
	"context"
	"net/http"
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
