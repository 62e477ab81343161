package walletplatformtest_test

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict/walletplatform"
	"github.com/restrictkit/restrict/walletplatform/walletplatformtest"
)

// The credentials the tests start the fake with.
var (
	loginCreds = walletplatform.Credentials{APIKey: "test-api-key-1", Username: "ops@example.com", PassID: "test-pass-id"}
	tokenCreds = walletplatform.Credentials{APIKey: "test-api-key-2", Token: "Bearer static-token-123"}
)

const freezePath = walletplatformtest.WalletsPath + "/accounts/freeze-unfreeze?action="

// do sends one request to the fake and returns status, Content-Type and
// body. It speaks the wire format from the documentation, not through the
// client.
func do(t *testing.T, srv *walletplatformtest.Server, apiKey, method, path, token, body string) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest(method, srv.UsersURL()+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("apiKey", apiKey)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, res.Header.Get("Content-Type"), string(b)
}

func newServer(t *testing.T, creds walletplatform.Credentials) *walletplatformtest.Server {
	t.Helper()
	srv := walletplatformtest.NewServer(creds)
	t.Cleanup(srv.Close)
	return srv
}

func login(t *testing.T, srv *walletplatformtest.Server) string {
	t.Helper()
	status, _, body := do(t, srv, string(loginCreds.APIKey), http.MethodPost, walletplatformtest.LoginPath, "",
		`{"username":"`+loginCreds.Username+`","passId":"`+string(loginCreds.PassID)+`"}`)
	require.Equal(t, http.StatusCreated, status, body)
	var ans struct {
		Data struct {
			AccessToken string `json:"accessToken"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &ans))
	return ans.Data.AccessToken
}

func TestLoginIssuesJWT(t *testing.T) {
	t.Parallel()
	srv := newServer(t, loginCreds)
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	srv.SetClock(func() time.Time { return now })

	tok := login(t, srv)
	parts := strings.Split(tok, ".")
	require.Len(t, parts, 3)
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	var claims struct {
		Username string `json:"username"`
		Exp      int64  `json:"exp"`
		Iat      int64  `json:"iat"`
	}
	require.NoError(t, json.Unmarshal(payload, &claims))
	require.Equal(t, loginCreds.Username, claims.Username)
	require.Equal(t, now.Unix(), claims.Iat)
	require.Equal(t, now.Add(walletplatformtest.DefaultTokenLifetime).Unix(), claims.Exp)
	require.Equal(t, 1, srv.Logins())
}

func TestChecksLoginCredentials(t *testing.T) {
	t.Parallel()
	srv := newServer(t, loginCreds)
	srv.AddAccount("acc-1")
	key := string(loginCreds.APIKey)

	status, _, body := do(t, srv, key, http.MethodPost, freezePath+"FREEZE", "", `{"accountId":"acc-1"}`)
	require.Equal(t, http.StatusUnauthorized, status)
	require.JSONEq(t, `{"status":false,"statusCode":401,"message":"Unauthorized","data":{},"errors":[{"message":"Unauthorized","descriptiveMessage":"invalid or expired token"}]}`, body)

	tok := login(t, srv)
	status, _, _ = do(t, srv, key, http.MethodPost, freezePath+"FREEZE", tok+"x", `{"accountId":"acc-1"}`)
	require.Equal(t, http.StatusUnauthorized, status, "a tampered token")
	status, _, body = do(t, srv, "other-key", http.MethodPost, freezePath+"FREEZE", tok, `{"accountId":"acc-1"}`)
	require.Equal(t, http.StatusUnauthorized, status, "another tenant's key")
	require.Contains(t, body, "Invalid api key")

	status, ct, body := do(t, srv, key, http.MethodPost, freezePath+"FREEZE", tok, `{"accountId":"acc-1"}`)
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, "application/json; charset=utf-8", ct)
	require.JSONEq(t, `{"status":true,"statusCode":0,"message":"Account freeze successful","data":{},"errors":[]}`, body)
	a, _ := srv.Account("acc-1")
	require.True(t, a.Frozen())

	// Expired tokens are refused.
	srv.SetClock(func() time.Time { return time.Now().Add(walletplatformtest.DefaultTokenLifetime + time.Minute) })
	status, _, _ = do(t, srv, key, http.MethodPost, freezePath+"FREEZE", tok, `{"accountId":"acc-1"}`)
	require.Equal(t, http.StatusUnauthorized, status)

	// Only the user it was given logs in.
	for _, b := range []string{
		`{"username":"` + loginCreds.Username + `","passId":"nope"}`,
		`{"username":"someone@example.com","passId":"` + string(loginCreds.PassID) + `"}`,
	} {
		status, _, body = do(t, srv, key, http.MethodPost, walletplatformtest.LoginPath, "", b)
		require.Equal(t, http.StatusUnauthorized, status, b)
		require.Contains(t, body, "Invalid credentials")
	}
	require.Equal(t, 1, srv.Logins())
}

// Started with a static token, the fake accepts that token (sent without
// the "Bearer " the credentials carried) and logs nobody in.
func TestChecksStaticToken(t *testing.T) {
	t.Parallel()
	srv := newServer(t, tokenCreds)
	srv.AddAccount("acc-1")
	key := string(tokenCreds.APIKey)

	status, _, body := do(t, srv, key, http.MethodGet, walletplatformtest.WalletsPath+"/accounts/acc-1", "static-token-123", "")
	require.Equal(t, http.StatusOK, status, body)
	status, _, _ = do(t, srv, key, http.MethodGet, walletplatformtest.WalletsPath+"/accounts/acc-1", "static-token-124", "")
	require.Equal(t, http.StatusUnauthorized, status)
	status, _, _ = do(t, srv, key, http.MethodPost, walletplatformtest.LoginPath, "", `{"username":"`+loginCreds.Username+`","passId":"x"}`)
	require.Equal(t, http.StatusUnauthorized, status)

	issued := srv.IssueToken()
	status, _, _ = do(t, srv, key, http.MethodGet, walletplatformtest.WalletsPath+"/accounts/acc-1", issued, "")
	require.Equal(t, http.StatusOK, status, "a token the test asked for")

	srv.RevokeTokens()
	for _, tok := range []string{"static-token-123", issued} {
		status, _, _ = do(t, srv, key, http.MethodGet, walletplatformtest.WalletsPath+"/accounts/acc-1", tok, "")
		require.Equal(t, http.StatusUnauthorized, status)
	}
	require.Zero(t, srv.Logins())
}

// The fake keeps each account's status and answers GetAccount from it; a
// repeated freeze succeeds unless told to refuse it.
func TestAccountState(t *testing.T) {
	t.Parallel()
	srv := newServer(t, tokenCreds)
	srv.AddAccount("acc-1")
	key, tok := string(tokenCreds.APIKey), "static-token-123"
	get := func() map[string]any {
		t.Helper()
		status, _, body := do(t, srv, key, http.MethodGet, walletplatformtest.WalletsPath+"/accounts/acc-1", tok, "")
		require.Equal(t, http.StatusOK, status, body)
		var ans struct {
			Data map[string]any `json:"data"`
		}
		require.NoError(t, json.Unmarshal([]byte(body), &ans))
		return ans.Data
	}
	require.Equal(t, walletplatformtest.StatusActive, get()["status"])
	require.Equal(t, "acc-1", get()["uuid"])

	for range 2 {
		status, _, body := do(t, srv, key, http.MethodPost, freezePath+"FREEZE", tok, `{"accountId":"acc-1"}`)
		require.Equal(t, http.StatusOK, status, body)
		require.Equal(t, walletplatformtest.StatusFrozen, get()["status"])
	}
	a, ok := srv.Account("acc-1")
	require.True(t, ok)
	require.Equal(t, walletplatformtest.AccountState{UUID: "acc-1", Status: walletplatformtest.StatusFrozen}, a)

	srv.SetRefuseRepeats(true)
	status, _, body := do(t, srv, key, http.MethodPost, freezePath+"FREEZE", tok, `{"accountId":"acc-1"}`)
	require.Equal(t, http.StatusBadRequest, status)
	require.Contains(t, body, `"message":"Account already frozen"`)
	status, _, _ = do(t, srv, key, http.MethodPost, freezePath+"UNFREEZE", tok, `{"accountId":"acc-1"}`)
	require.Equal(t, http.StatusOK, status)
	status, _, body = do(t, srv, key, http.MethodPost, freezePath+"UNFREEZE", tok, `{"accountId":"acc-1"}`)
	require.Equal(t, http.StatusBadRequest, status)
	require.Contains(t, body, `"message":"Account already unfrozen"`)
	require.Equal(t, walletplatformtest.StatusActive, get()["status"])

	status, _, body = do(t, srv, key, http.MethodGet, walletplatformtest.WalletsPath+"/accounts/missing", tok, "")
	require.Equal(t, http.StatusNotFound, status)
	require.Contains(t, body, `"status":false`)
	require.Contains(t, body, "Account id not found")
}

// The XML form is the documentation's.
func TestXML(t *testing.T) {
	t.Parallel()
	srv := newServer(t, loginCreds)
	tok := login(t, srv)
	srv.SetXML(true)
	key := string(loginCreds.APIKey)

	status, ct, body := do(t, srv, key, http.MethodPost, freezePath+"FREEZE", tok, `{"accountId":"missing"}`)
	require.Equal(t, http.StatusNotFound, status)
	require.Equal(t, "application/xml; charset=utf-8", ct)
	require.Equal(t, `<response><status>false</status><statusCode>404</statusCode><message>Account id not found</message><data></data>`+
		`<errors><error><message>Account id not found</message><descriptiveMessage></descriptiveMessage></error></errors></response>`, body)

	status, _, body = do(t, srv, key, http.MethodPost, freezePath+"FREEZE", tok, `{"accountId":"bad id"}`)
	require.Equal(t, http.StatusBadRequest, status)
	require.Contains(t, body, `<message>Invalid account id</message>`)

	status, _, body = do(t, srv, key, http.MethodPost, freezePath+"LOCK", tok, `{"accountId":"x"}`)
	require.Equal(t, http.StatusBadRequest, status)
	require.Contains(t, body, `<message>Invalid action</message>`)

	srv.SetContentType("")
	_, ct, _ = do(t, srv, key, http.MethodGet, walletplatformtest.WalletsPath+"/accounts/missing", tok, "")
	require.Empty(t, ct)
}

func TestTokenPath(t *testing.T) {
	t.Parallel()
	srv := newServer(t, loginCreds)
	for path, want := range map[string]string{
		"token":            `"token":"eyJ`,
		"data.token":       `"data":{"token":"eyJ`,
		"session.auth.jwt": `"session":{"auth":{"jwt":"eyJ`,
	} {
		srv.SetTokenPath(path)
		_, _, body := do(t, srv, string(loginCreds.APIKey), http.MethodPost, walletplatformtest.LoginPath, "",
			`{"username":"`+loginCreds.Username+`","passId":"`+string(loginCreds.PassID)+`"}`)
		require.Contains(t, body, want, path)
	}
}

// An unknown route, or a known one with the wrong method, is answered as
// NestJS answers it, not in the platform's envelope.
func TestUnknownRouteIsNestJS404(t *testing.T) {
	t.Parallel()
	srv := newServer(t, tokenCreds)
	for _, tc := range []struct{ method, path string }{
		{http.MethodPost, "/platform/wallet/accounts/freeze-unfreeze"},
		{http.MethodGet, walletplatformtest.WalletsPath + "/accounts/freeze-unfreeze/x"},
		{http.MethodDelete, walletplatformtest.WalletsPath + "/accounts/acc-1"},
	} {
		status, ct, body := do(t, srv, string(tokenCreds.APIKey), tc.method, tc.path, "static-token-123", "")
		require.Equal(t, http.StatusNotFound, status)
		require.Equal(t, "application/json; charset=utf-8", ct)
		require.JSONEq(t, `{"statusCode":404,"message":"Cannot `+tc.method+` `+tc.path+`","error":"Not Found"}`, body)
	}
	require.Equal(t, 3, srv.Requests())
}

// Handler serves the same fake on a server of the test's own.
func TestHandlerIsMountable(t *testing.T) {
	t.Parallel()
	srv := newServer(t, tokenCreds)
	srv.AddAccount("acc-1")
	mux := http.NewServeMux()
	mux.Handle("/", srv.Handler())
	req, err := http.NewRequest(http.MethodGet, "/platform/wallets/accounts/acc-1", nil)
	require.NoError(t, err)
	req.Header.Set("apiKey", string(tokenCreds.APIKey))
	req.Header.Set("Authorization", "Bearer static-token-123")
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	require.Equal(t, 1, srv.Requests())
}
