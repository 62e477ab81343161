package walletplatformtest_test

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict/walletplatform/walletplatformtest"
)

// do sends one request to the fake and returns status, Content-Type and
// body. It speaks the wire format from the documentation, not through the
// client.
func do(t *testing.T, srv *walletplatformtest.Server, method, path, token, body string) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("apiKey", string(walletplatformtest.APIKey))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, res.Header.Get("Content-Type"), string(b)
}

func login(t *testing.T, srv *walletplatformtest.Server) string {
	t.Helper()
	status, _, body := do(t, srv, http.MethodPost, walletplatformtest.LoginPath, "",
		`{"username":"`+walletplatformtest.Username+`","passId":"`+string(walletplatformtest.PassID)+`"}`)
	require.Equal(t, http.StatusCreated, status, body)
	var ans struct {
		Data struct {
			AccessToken string `json:"accessToken"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &ans))
	return ans.Data.AccessToken
}

func TestFakeLoginIssuesJWT(t *testing.T) {
	t.Parallel()
	srv := walletplatformtest.NewServer()
	t.Cleanup(srv.Close)
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	srv.SetNow(func() time.Time { return now })

	tok := login(t, srv)
	parts := strings.Split(tok, ".")
	require.Len(t, parts, 3)
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	var claims struct {
		Exp int64 `json:"exp"`
		Iat int64 `json:"iat"`
	}
	require.NoError(t, json.Unmarshal(payload, &claims))
	require.Equal(t, now.Unix(), claims.Iat)
	require.Equal(t, now.Add(walletplatformtest.DefaultTokenTTL).Unix(), claims.Exp)
	require.Equal(t, 1, srv.Logins())
}

func TestFakeChecksCredentials(t *testing.T) {
	t.Parallel()
	srv := walletplatformtest.NewServer()
	t.Cleanup(srv.Close)
	srv.AddAccount("acc-1")
	freeze := walletplatformtest.WalletsPath + "/accounts/freeze-unfreeze?action=FREEZE"

	status, _, body := do(t, srv, http.MethodPost, freeze, "", `{"accountId":"acc-1"}`)
	require.Equal(t, http.StatusUnauthorized, status)
	require.JSONEq(t, `{"status":false,"statusCode":401,"message":"Unauthorized","data":{},"errors":[{"message":"Unauthorized","descriptiveMessage":"invalid or expired token"}]}`, body)

	tok := login(t, srv)
	status, _, _ = do(t, srv, http.MethodPost, freeze, tok+"x", `{"accountId":"acc-1"}`)
	require.Equal(t, http.StatusUnauthorized, status, "a tampered token")

	status, ct, body := do(t, srv, http.MethodPost, freeze, tok, `{"accountId":"acc-1"}`)
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, "application/json; charset=utf-8", ct)
	require.JSONEq(t, `{"status":true,"statusCode":0,"message":"Account freeze successful","data":{},"errors":[]}`, body)
	a, _ := srv.Account("acc-1")
	require.True(t, a.Frozen)

	// Expired tokens are refused.
	srv.SetNow(func() time.Time { return time.Now().Add(walletplatformtest.DefaultTokenTTL + time.Minute) })
	status, _, _ = do(t, srv, http.MethodPost, freeze, tok, `{"accountId":"acc-1"}`)
	require.Equal(t, http.StatusUnauthorized, status)

	// Wrong pass ID.
	status, _, _ = do(t, srv, http.MethodPost, walletplatformtest.LoginPath, "", `{"username":"`+walletplatformtest.Username+`","passId":"nope"}`)
	require.Equal(t, http.StatusUnauthorized, status)
	srv.AddUser("second@example.com", "second-pass")
	status, _, _ = do(t, srv, http.MethodPost, walletplatformtest.LoginPath, "", `{"username":"second@example.com","passId":"second-pass"}`)
	require.Equal(t, http.StatusCreated, status)
}

// The XML form is the documentation's.
func TestFakeXML(t *testing.T) {
	t.Parallel()
	srv := walletplatformtest.NewServer()
	t.Cleanup(srv.Close)
	tok := login(t, srv)
	srv.SetXML(true)

	status, ct, body := do(t, srv, http.MethodPost, walletplatformtest.WalletsPath+"/accounts/freeze-unfreeze?action=FREEZE", tok, `{"accountId":"missing"}`)
	require.Equal(t, http.StatusNotFound, status)
	require.Equal(t, "application/xml; charset=utf-8", ct)
	require.Equal(t, `<response><status>false</status><statusCode>404</statusCode><message>Account id not found</message><data></data>`+
		`<errors><error><message>Account id not found</message><descriptiveMessage></descriptiveMessage></error></errors></response>`, body)

	status, _, body = do(t, srv, http.MethodPost, walletplatformtest.WalletsPath+"/accounts/freeze-unfreeze?action=FREEZE", tok, `{"accountId":"bad id"}`)
	require.Equal(t, http.StatusBadRequest, status)
	require.Contains(t, body, `<message>Invalid account id</message>`)

	status, _, body = do(t, srv, http.MethodPost, walletplatformtest.WalletsPath+"/accounts/freeze-unfreeze?action=LOCK", tok, `{"accountId":"x"}`)
	require.Equal(t, http.StatusBadRequest, status)
	require.Contains(t, body, `<message>Invalid action</message>`)

	srv.SetContentType("")
	_, ct, _ = do(t, srv, http.MethodGet, walletplatformtest.WalletsPath+"/accounts/missing", tok, "")
	require.Empty(t, ct)
}

func TestFakeTokenPath(t *testing.T) {
	t.Parallel()
	srv := walletplatformtest.NewServer()
	t.Cleanup(srv.Close)
	for path, want := range map[string]string{
		"token":            `"token":"eyJ`,
		"data.token":       `"data":{"token":"eyJ`,
		"session.auth.jwt": `"session":{"auth":{"jwt":"eyJ`,
	} {
		srv.SetTokenPath(path)
		_, _, body := do(t, srv, http.MethodPost, walletplatformtest.LoginPath, "",
			`{"username":"`+walletplatformtest.Username+`","passId":"`+string(walletplatformtest.PassID)+`"}`)
		require.Contains(t, body, want, path)
	}
}
