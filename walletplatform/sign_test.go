package walletplatform_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/testkit"
	"github.com/restrictkit/restrict/restricttest"
	"github.com/restrictkit/restrict/walletplatform"
	"github.com/restrictkit/restrict/walletplatform/walletplatformtest"
)

// The token is kept until a minute before its JWT exp, then renewed.
func TestLoginIsCachedUntilExpiry(t *testing.T) {
	t.Parallel()
	clk := testkit.NewClock(time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC))
	c, mt := newMocked(t, loginCreds(), restrict.WithClock(clk.Now))
	var logins testkit.Recorder
	n := 0
	mt.RegisterResponder(http.MethodPost, loginAt, logins.Wrap(func(*http.Request) (*http.Response, error) {
		n++
		tok := testkit.JWT(clk.Now().Add(time.Hour), fmt.Sprint(n))
		return httpmock.NewStringResponse(http.StatusCreated, `{"data":{"accessToken":"`+tok+`"}}`), nil
	}))
	var calls testkit.Recorder
	mt.RegisterResponder(http.MethodPost, freezeAt, calls.Wrap(answer(http.StatusOK, jsonCT, okJSON)))
	ctx := context.Background()
	freeze := func() {
		t.Helper()
		_, err := freeze(ctx, c, "acc-1")
		require.NoError(t, err)
	}

	freeze()
	freeze()
	require.Equal(t, 1, logins.Count())
	clk.Advance(58 * time.Minute)
	freeze()
	require.Equal(t, 1, logins.Count(), "two minutes before expiry the token is still used")
	clk.Advance(time.Minute + time.Second)
	freeze()
	require.Equal(t, 2, logins.Count(), "within a minute of expiry it is renewed")
	freeze()
	require.Equal(t, 2, logins.Count())

	require.Equal(t, calls.Requests()[0].Header.Get("Authorization"), calls.Requests()[2].Header.Get("Authorization"))
	require.NotEqual(t, calls.Requests()[2].Header.Get("Authorization"), calls.Requests()[3].Header.Get("Authorization"))
}

// A token without a readable exp is kept until the provider rejects it.
func TestOpaqueTokenIsKeptUntilRejected(t *testing.T) {
	t.Parallel()
	c, mt := newMocked(t, loginCreds())
	var logins testkit.Recorder
	mt.RegisterResponder(http.MethodPost, loginAt, logins.Wrap(answer(http.StatusCreated, jsonCT, `{"token":"opaque-token-1234"}`)))
	mt.RegisterResponder(http.MethodPost, freezeAt, answer(http.StatusOK, jsonCT, okJSON))
	for i := 0; i < 5; i++ {
		_, err := freeze(context.Background(), c, "acc-1")
		require.NoError(t, err)
	}
	require.Equal(t, 1, logins.Count())
}

// Many calls at once, before any token exists, share one login.
func TestOneLoginForConcurrentCalls(t *testing.T) {
	t.Parallel()
	c, srv := fakeClient(t)
	const n = 100
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("acc-%03d", i)
	}
	srv.AddAccount(ids...)
	// Hold the login back so the calls pile up behind it.
	srv.Inject(restricttest.Fault{Delay: 50 * time.Millisecond, Times: 1})

	var wg sync.WaitGroup
	errs := make(chan error, n)
	for _, id := range ids {
		wg.Add(1)
		go func(id string) {
			defer wg.Done()
			_, err := freeze(context.Background(), c, id)
			errs <- err
		}(id)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.Equal(t, 1, srv.Logins())
	require.Equal(t, n+1, srv.Requests())
	for _, id := range ids {
		a, ok := srv.Account(id)
		require.True(t, ok)
		require.True(t, a.Frozen(), id)
	}
}

// A token the provider stops accepting is replaced by a new login, and the
// call is made again, once.
func TestReloginOn401(t *testing.T) {
	t.Parallel()
	c, srv := fakeClient(t)
	srv.AddAccount("acc-1")
	ctx := context.Background()
	_, err := freeze(ctx, c, "acc-1")
	require.NoError(t, err)
	require.Equal(t, 1, srv.Logins())

	srv.RevokeTokens()
	res, err := unfreeze(ctx, c, "acc-1")
	require.NoError(t, err)
	require.Equal(t, 2, srv.Logins())
	require.Equal(t, 2, res.Attempts, "the rejected attempt and the one after the new login")
	a, _ := srv.Account("acc-1")
	require.False(t, a.Frozen())
}

func TestReloginOn401OnlyOnce(t *testing.T) {
	t.Parallel()
	c, mt := newMocked(t, loginCreds())
	var logins, calls testkit.Recorder
	mt.RegisterResponder(http.MethodPost, loginAt, logins.Wrap(answer(http.StatusCreated, jsonCT, `{"data":{"token":"always-refused-token"}}`)))
	mt.RegisterResponder(http.MethodPost, freezeAt, calls.Wrap(answer(http.StatusUnauthorized, jsonCT,
		`{"status":false,"statusCode":401,"message":"Unauthorized","errors":[{"message":"Unauthorized","descriptiveMessage":"jwt malformed"}]}`)))
	_, err := freeze(context.Background(), c, "acc-1")
	require.ErrorIs(t, err, restrict.ErrUnauthorized)
	ae := testkit.RequireAPIError(t, err, walletplatform.Provider, nil)
	require.Equal(t, "FreezeAccount", ae.Operation)
	require.Equal(t, 2, ae.Attempts)
	require.Equal(t, 2, logins.Count())
	require.Equal(t, 2, calls.Count())
	requireNoSecret(t, err, "always-refused-token")
}

// A static token cannot be renewed: a 401 is returned as it is.
func TestStaticTokenIsNotRenewed(t *testing.T) {
	t.Parallel()
	c, mt := newMocked(t, staticCreds())
	mt.RegisterResponder(http.MethodPost, freezeAt, answer(http.StatusUnauthorized, jsonCT, `{"status":false,"statusCode":401,"message":"Unauthorized"}`))
	_, err := freeze(context.Background(), c, "acc-1")
	require.ErrorIs(t, err, restrict.ErrUnauthorized)
	require.Equal(t, 1, mt.GetTotalCallCount())
}

func TestStaticTokenWithFake(t *testing.T) {
	t.Parallel()
	creds := walletplatform.Credentials{APIKey: apiKey, Token: "Bearer " + staticTk}
	srv := walletplatformtest.NewServer(creds)
	t.Cleanup(srv.Close)
	srv.AddAccount("acc-1")
	c, err := walletplatform.New(creds, restrict.WithBaseURL(srv.BaseURL()))
	require.NoError(t, err)
	_, err = freeze(context.Background(), c, "acc-1")
	require.NoError(t, err)
	require.Zero(t, srv.Logins())

	srv.RevokeTokens()
	_, err = freeze(context.Background(), c, "acc-1")
	require.ErrorIs(t, err, restrict.ErrUnauthorized)
	require.Zero(t, srv.Logins())
}

// A refused login is reported as the login's error, and the call it was
// for is not sent.
func TestLoginRefused(t *testing.T) {
	t.Parallel()
	srv := walletplatformtest.NewServer(fakeCreds)
	t.Cleanup(srv.Close)
	c, err := walletplatform.New(walletplatform.Credentials{APIKey: fakeCreds.APIKey, Username: fakeCreds.Username, PassID: passID},
		restrict.WithBaseURL(srv.BaseURL()))
	require.NoError(t, err)
	_, err = freeze(context.Background(), c, "acc-1")
	require.ErrorIs(t, err, restrict.ErrUnauthorized)
	ae := testkit.RequireAPIError(t, err, walletplatform.Provider, nil)
	require.Equal(t, "Login", ae.Operation)
	require.Equal(t, http.StatusUnauthorized, ae.StatusCode)
	require.Equal(t, "Invalid credentials", ae.Message)
	requireNoSecret(t, err)
	require.Equal(t, 1, srv.Requests(), "only the login was sent")

	// The same with a wrong key, and in XML.
	srv.SetXML(true)
	c, err = walletplatform.New(walletplatform.Credentials{APIKey: "wrong-key-000000", Username: fakeCreds.Username, PassID: fakeCreds.PassID},
		restrict.WithBaseURL(srv.BaseURL()))
	require.NoError(t, err)
	_, err = c.GetAccount(context.Background(), "acc-1")
	require.ErrorIs(t, err, restrict.ErrUnauthorized)
	require.Equal(t, "Invalid api key", testkit.RequireAPIError(t, err, walletplatform.Provider, nil).Message)
	requireNoSecret(t, err, "wrong-key-000000")
}

func TestLoginErrorClasses(t *testing.T) {
	t.Parallel()
	cases := []struct {
		status int
		body   string
		class  error
	}{
		// An unknown user or a malformed pass ID must not read as a bad
		// or missing account to the caller of FreezeAccount.
		{400, `{"status":false,"statusCode":400,"message":"Invalid username"}`, restrict.ErrUnauthorized},
		{404, `{"status":false,"statusCode":404,"message":"User not found"}`, restrict.ErrUnauthorized},
		{409, `{"status":false,"statusCode":409,"message":"Session exists"}`, restrict.ErrUnauthorized},
		{401, `{"status":false,"statusCode":401,"message":"Invalid credentials"}`, restrict.ErrUnauthorized},
		{403, `{"status":false,"statusCode":403,"message":"User disabled"}`, restrict.ErrForbidden},
		{201, `{"status":false,"statusCode":400,"message":"Wrong pass ID"}`, restrict.ErrUnauthorized},
		{201, `{"status":"false","statusCode":"403","message":"User disabled"}`, restrict.ErrForbidden},
		{401, `{"status":"false","statusCode":"401","message":"Invalid credentials"}`, restrict.ErrUnauthorized},
		// A 404 that is not the users service's envelope: the users URL
		// is wrong, which no other credentials would fix.
		{404, `<html>no such route</html>`, restrict.ErrInvalidRequest},
		{404, `{"statusCode":404,"message":"Cannot POST /api/v1/users/login/platform/public","error":"Not Found"}`, restrict.ErrInvalidRequest},
		{500, `{"status":false,"statusCode":500,"message":"boom"}`, restrict.ErrUnavailable},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprint(tc.status, " ", tc.body[:12]), func(t *testing.T) {
			t.Parallel()
			c, mt := newMocked(t, loginCreds(), restrict.WithRetry(restrict.RetryPolicy{MaxAttempts: 1}))
			mt.RegisterResponder(http.MethodPost, loginAt, answer(tc.status, "", tc.body))
			_, err := freeze(context.Background(), c, "acc-1")
			require.ErrorIs(t, err, tc.class)
			ae := testkit.RequireAPIError(t, err, walletplatform.Provider, nil)
			require.Equal(t, "Login", ae.Operation)
			require.Equal(t, tc.status, ae.StatusCode)
			requireNoSecret(t, err)
			require.Equal(t, 1, mt.GetTotalCallCount())
		})
	}
}

// A login that fails on the way is retried like any idempotent call.
func TestLoginRetried(t *testing.T) {
	t.Parallel()
	c, srv := fakeClient(t)
	srv.AddAccount("acc-1")
	srv.Inject(restricttest.Fault{Status: http.StatusServiceUnavailable, Times: 2})
	res, err := freeze(context.Background(), c, "acc-1")
	require.NoError(t, err)
	require.Equal(t, 1, res.Attempts, "the retries were the login's")
	require.Equal(t, 4, srv.Requests())
	require.Equal(t, 1, srv.Logins())
}

// A login answer without a token is an unreadable answer: it names the
// fields that came, and none of their values.
func TestLoginAnswerWithoutToken(t *testing.T) {
	t.Parallel()
	c, srv := fakeClient(t)
	srv.SetTokenPath("data.jwt")
	_, err := freeze(context.Background(), c, "acc-1")
	require.ErrorIs(t, err, restrict.ErrUnavailable)
	ae := testkit.RequireAPIError(t, err, walletplatform.Provider, nil)
	require.Equal(t, "Login", ae.Operation)
	require.Equal(t, http.StatusCreated, ae.StatusCode)
	require.Contains(t, ae.Message, "no token at data.accessToken, data.token, accessToken or token")
	require.Contains(t, ae.Message, "data, data.jwt, data.username, errors, message, status, statusCode")
	require.NotContains(t, err.Error(), "eyJ")
	require.NotContains(t, err.Error(), fakeCreds.Username)
	require.Equal(t, 1, srv.Requests())

	cases := map[string]struct{ body, want, secret string }{
		"nested elsewhere": {`{"session":{"key":"opaque-secret-value"}}`, "its fields are: session", "opaque-secret-value"},
		"token not string": {`{"token":{"value":"opaque-secret-value"}}`, "its fields are: token", "opaque-secret-value"},
		"empty":            {`{}`, "its fields are: none", ""},
		"xml":              {`<response><status>true</status><data><jwt>opaque-secret-value</jwt></data></response>`, "data, data.jwt, status", "opaque-secret-value"},
		"token with space": {`{"data":{"token":"opaque secret-value"}}`, "data.token is not a usable bearer token", "opaque secret-value"},
		"unreadable":       {`token=opaque-secret-value`, "unreadable login answer", "opaque-secret-value"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMocked(t, loginCreds())
			mt.RegisterResponder(http.MethodPost, loginAt, answer(http.StatusCreated, "", tc.body))
			_, err := freeze(context.Background(), c, "acc-1")
			require.ErrorIs(t, err, restrict.ErrUnavailable)
			require.Contains(t, err.Error(), tc.want)
			if tc.secret != "" {
				require.NotContains(t, err.Error(), tc.secret)
			}
			require.Equal(t, 1, mt.GetTotalCallCount(), "an unusable answer is not retried")
		})
	}
}

// A caller whose context ends stops waiting for the shared login; the
// others still get the token.
func TestLoginWaitEndsWithContext(t *testing.T) {
	t.Parallel()
	c, srv := fakeClient(t)
	srv.AddAccount("acc-1")
	srv.Inject(restricttest.Fault{Delay: 100 * time.Millisecond, Times: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	_, err := freeze(ctx, c, "acc-1")
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.NotContains(t, err.Error(), string(fakeCreds.PassID))

	_, err = freeze(context.Background(), c, "acc-1")
	require.NoError(t, err)
	require.Equal(t, 1, srv.Logins())
}

// SABI may refuse a token inside a 200 answer ({"status":false,
// "statusCode":401}); that is renewed as a 401 is: one new login, one more
// try, then ErrUnauthorized.
func TestReloginOnInBand401(t *testing.T) {
	t.Parallel()
	inBand := `{"status":false,"statusCode":401,"message":"Unauthorized","errors":[{"message":"Unauthorized","descriptiveMessage":"jwt expired"}]}`
	c, mt := newMocked(t, loginCreds())
	var logins, calls testkit.Recorder
	mt.RegisterResponder(http.MethodPost, loginAt, logins.Wrap(answer(http.StatusCreated, jsonCT, `{"data":{"token":"in-band-token"}}`)))
	mt.RegisterResponder(http.MethodPost, freezeAt, calls.Wrap(httpmock.ResponderFromMultipleResponses([]*http.Response{
		httpmock.NewStringResponse(http.StatusOK, inBand),
		httpmock.NewStringResponse(http.StatusOK, okJSON),
	})))
	res, err := freeze(context.Background(), c, "acc-1")
	require.NoError(t, err)
	require.Equal(t, 2, res.Attempts)
	require.Equal(t, 2, logins.Count())

	c, mt = newMocked(t, loginCreds())
	logins, calls = testkit.Recorder{}, testkit.Recorder{}
	mt.RegisterResponder(http.MethodPost, loginAt, logins.Wrap(answer(http.StatusCreated, jsonCT, `{"data":{"token":"in-band-token"}}`)))
	mt.RegisterResponder(http.MethodPost, freezeAt, calls.Wrap(answer(http.StatusOK, jsonCT, inBand)))
	_, err = freeze(context.Background(), c, "acc-1")
	ae := testkit.RequireAPIError(t, err, walletplatform.Provider, nil)
	require.ErrorIs(t, err, restrict.ErrUnauthorized)
	require.Equal(t, http.StatusOK, ae.StatusCode)
	require.Equal(t, 2, logins.Count(), "one renewal, not a loop")
	require.Equal(t, 2, calls.Count())
}
func TestLoginWire(t *testing.T) {
	t.Parallel()
	c, mt := newMocked(t, loginCreds())
	var logins, calls testkit.Recorder
	mt.RegisterResponder(http.MethodPost, loginAt,
		logins.Wrap(answer(http.StatusCreated, jsonCT, `{"status":true,"statusCode":201,"message":"ok","data":{"accessToken":"tok-123456789"}}`)))
	mt.RegisterResponder(http.MethodPost, freezeAt, calls.Wrap(answer(http.StatusOK, jsonCT, okJSON)))

	_, err := freeze(context.Background(), c, "acc-1")
	require.NoError(t, err)

	require.Equal(t, 1, logins.Count())
	req := logins.Requests()[0]
	require.Equal(t, http.MethodPost, req.Method)
	require.Equal(t, "/api/v1/users/login/platform/public", req.URL.Path, "the users service sits on the base URL's host, not under its path")
	require.Equal(t, apiKey, req.Header.Get("apiKey"))
	require.Empty(t, req.Header.Get("Authorization"), "the login carries no token")
	require.Equal(t, "application/json", req.Header.Get("Content-Type"))
	require.JSONEq(t, `{"username":"tech@example.com","passId":"`+passID+`"}`, string(logins.Requests()[0].Body))

	require.Equal(t, "Bearer tok-123456789", calls.Requests()[0].Header.Get("Authorization"))
	require.Equal(t, apiKey, calls.Requests()[0].Header.Get("apiKey"))
}

// Where the token sits in the login answer is undocumented: every place
// the package promises is read, from JSON and XML answers alike.
func TestLoginTokenPlaces(t *testing.T) {
	t.Parallel()
	cases := map[string]struct{ ct, body string }{
		"data.accessToken": {jsonCT, `{"status":true,"data":{"accessToken":"tok-aaaaaaaa","token":"wrong"}}`},
		"data.token":       {jsonCT, `{"status":true,"data":{"token":"tok-aaaaaaaa"},"token":"wrong"}`},
		"accessToken":      {jsonCT, `{"accessToken":"tok-aaaaaaaa","token":"wrong"}`},
		"token":            {jsonCT, `{"token":"tok-aaaaaaaa"}`},
		"xml":              {xmlCT, `<response><status>true</status><statusCode>201</statusCode><data><accessToken>tok-aaaaaaaa</accessToken></data></response>`},
		"no content type":  {"", ` {"data":{"accessToken":"tok-aaaaaaaa"}}`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMocked(t, loginCreds())
			mt.RegisterResponder(http.MethodPost, loginAt, answer(http.StatusCreated, tc.ct, tc.body))
			mt.RegisterResponder(http.MethodPost, freezeAt, func(req *http.Request) (*http.Response, error) {
				require.Equal(t, "Bearer tok-aaaaaaaa", req.Header.Get("Authorization"))
				return httpmock.NewStringResponse(http.StatusOK, okJSON), nil
			})
			_, err := freeze(context.Background(), c, "acc-1")
			require.NoError(t, err)
		})
	}
}

// Without a login, a static token and the key go on every call as they
// are: no login is made.
func TestStaticTokenSigning(t *testing.T) {
	t.Parallel()
	c, mt := newMocked(t, staticCreds())
	var s testkit.Recorder
	mt.RegisterNoResponder(s.Wrap(answer(http.StatusOK, jsonCT, okJSON)))
	ctx := context.Background()
	_, err := freeze(ctx, c, "acc-1")
	require.NoError(t, err)
	_, err = c.GetAccount(ctx, "acc-1")
	require.NoError(t, err)
	require.Equal(t, 2, s.Count())
	for _, req := range s.Requests() {
		require.Equal(t, apiKey, req.Header.Get("apiKey"))
		require.Equal(t, "Bearer "+staticTk, req.Header.Get("Authorization"))
		require.NotContains(t, req.URL.Path, "login")
	}
}
