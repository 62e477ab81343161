package console

import (
	"bytes"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict/internal/testkit"
)

// leakRecorder keeps every response body and header a session got.
type leakRecorder struct {
	ts      *testServer
	bodies  []string
	headers []string
	// sessions are the session IDs the server handed out.
	sessions []string
}

func (lr *leakRecorder) send(t *testing.T, req *http.Request) *http.Response {
	t.Helper()
	resp := lr.ts.do(t, req)
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	lr.bodies = append(lr.bodies, string(b))
	for k, vs := range resp.Header {
		if k == "Set-Cookie" {
			continue
		}
		lr.headers = append(lr.headers, k+": "+strings.Join(vs, ", "))
	}
	for _, c := range resp.Cookies() {
		if c.Name == sessionCookie && c.Value != "" {
			lr.sessions = append(lr.sessions, c.Value)
		}
	}
	return resp
}

// TestNoSecretLeaks drives a session of each role through the login, the
// pages, a form, the API and the logout, then looks for every token,
// session ID and CSRF token in the log, the answers and the database
// file.
func TestNoSecretLeaks(t *testing.T) {
	var logs testkit.SyncBuffer
	ts := newTestServer(t, func(c *Config) {
		c.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	lr := &leakRecorder{ts: ts}
	var csrfs []string

	lr.send(t, ts.request(t, "GET", "/login", nil))
	lr.send(t, ts.request(t, "POST", "/login", url.Values{"token": {wrongToken}}))
	bad := ts.request(t, "GET", "/api/v1/runs", nil)
	bad.Header.Set("Authorization", "Bearer "+wrongToken)
	lr.send(t, bad)

	for _, tok := range []string{viewerToken, operatorToken} {
		resp := lr.send(t, ts.request(t, "POST", "/login", url.Values{"token": {tok}}))
		require.Equal(t, http.StatusSeeOther, resp.StatusCode)
		id := lr.sessions[len(lr.sessions)-1]
		cookie := &http.Cookie{Name: sessionCookie, Value: id}
		csrf := ts.srv.auth.sessions.lookup(id).csrf
		csrfs = append(csrfs, csrf)
		for _, path := range []string{"/runs", "/runs/new", "/runs/leak-run", "/runs/leak-run/report", "/subjects/k1", "/limits"} {
			req := ts.request(t, "GET", path, nil)
			req.AddCookie(cookie)
			lr.send(t, req)
		}

		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		require.NoError(t, mw.WriteField("csrf", csrf))
		require.NoError(t, mw.WriteField("subjects_text", "key,cryptomus\nk1,"+strings.Repeat("1", 8)+"\n"))
		require.NoError(t, mw.WriteField("action", "block"))
		require.NoError(t, mw.WriteField("reason", "leak test"))
		require.NoError(t, mw.Close())
		req, err := http.NewRequest("POST", ts.URL+"/runs/new", &body)
		require.NoError(t, err)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.AddCookie(cookie)
		lr.send(t, req)

		req = ts.request(t, "POST", "/limits", url.Values{"csrf": {csrf}, "rate_cryptomus": {"5"}})
		req.AddCookie(cookie)
		lr.send(t, req)

		for _, path := range []string{"/api/v1/runs", "/api/v1/limits", "/api/v1/runs/leak-run"} {
			req := ts.request(t, "GET", path, nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			lr.send(t, req)
		}
		req, err = http.NewRequest("POST", ts.URL+"/api/v1/runs", strings.NewReader(
			`{"name":"leak-api","action":"block","reason":"leak test","subjects":[{"key":"k2","ids":{"cryptomus":"22222222"}}]}`))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tok)
		lr.send(t, req)

		req = ts.request(t, "POST", "/logout", url.Values{"csrf": {csrf}})
		req.AddCookie(cookie)
		resp = lr.send(t, req)
		require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	}
	require.Len(t, lr.sessions, 2)

	ts.Close()
	var db []byte
	files, err := filepath.Glob(ts.db + "*")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		db = append(db, b...)
	}

	log := logs.String()
	require.Contains(t, log, "failed login", "the log was captured")
	secrets := map[string]string{"viewer token": viewerToken, "operator token": operatorToken, "wrong token": wrongToken}
	for i, id := range lr.sessions {
		secrets["session "+string(rune('1'+i))] = id
	}
	for name, secret := range secrets {
		assert.NotContains(t, log, secret, "%s in the log", name)
		assert.False(t, bytes.Contains(db, []byte(secret)), "%s in the database", name)
		for i, b := range lr.bodies {
			assert.NotContains(t, b, secret, "%s in answer %d", name, i)
		}
		for _, h := range lr.headers {
			assert.NotContains(t, h, secret, "%s in a header", name)
		}
	}
	for i, csrf := range csrfs {
		assert.NotContains(t, log, csrf, "CSRF token %d in the log", i)
		assert.False(t, bytes.Contains(db, []byte(csrf)), "CSRF token %d in the database", i)
	}
}
