package console

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// do sends req without following redirects, so that a test sees each
// 303 itself, and closes the body at the test's end.
func (ts *testServer) do(t *testing.T, req *http.Request) *http.Response {
	t.Helper()
	c := *ts.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// request is a request to path on ts, with a form body when form is not
// nil.
func (ts *testServer) request(t *testing.T, method, path string, form url.Values) *http.Request {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, ts.URL+path, body)
	require.NoError(t, err)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return req
}

// postLogin posts the login form with token and next.
func (ts *testServer) postLogin(t *testing.T, token, next string) *http.Response {
	t.Helper()
	form := url.Values{"token": {token}}
	if next != "" {
		form.Set("next", next)
	}
	return ts.do(t, ts.request(t, "POST", "/login", form))
}

// login signs in with token and gives the session's cookie and its CSRF
// token (read from the server's store: the pages that show it are other
// files' work).
func (ts *testServer) login(t *testing.T, token string) (*http.Cookie, string) {
	t.Helper()
	resp := ts.postLogin(t, token, "")
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	for _, c := range resp.Cookies() {
		if c.Name == sessionCookie {
			sess := ts.srv.auth.sessions.lookup(c.Value)
			require.NotNil(t, sess)
			return c, sess.csrf
		}
	}
	require.FailNow(t, "no session cookie after a login")
	return nil, ""
}

// clearsSession says whether resp clears the session cookie.
func clearsSession(resp *http.Response) bool {
	for _, c := range resp.Cookies() {
		if c.Name == sessionCookie && c.MaxAge < 0 {
			return true
		}
	}
	return false
}

// readBody reads resp's body whole.
func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}

// credential is one way a request may present itself in the role test.
type credential int

const (
	noCredential credential = iota
	viewerSession
	operatorSession
	forgedCookie
	viewerBearer
	operatorBearer
	badBearer
	operatorNoCSRF     // an operator's session, a form without the CSRF field
	operatorWrongCSRF  // an operator's session, another session's CSRF token
	operatorOtherOrign // an operator's session and token, from another origin
)

var credentialNames = map[credential]string{
	noCredential: "none", viewerSession: "viewer-session", operatorSession: "operator-session",
	forgedCookie: "forged-cookie", viewerBearer: "viewer-bearer", operatorBearer: "operator-bearer",
	badBearer: "bad-bearer", operatorNoCSRF: "no-csrf", operatorWrongCSRF: "wrong-csrf",
	operatorOtherOrign: "other-origin",
}

// outcome is what the wrappers should do with a request.
type outcome int

const (
	letThrough   outcome = iota // the handler answers, whatever it says
	toLogin                     // 303 to /login
	unauthorized                // 401 problem with WWW-Authenticate: Bearer
	forbidden                   // 403 (a page, or a problem on the API)
	sameAsNone                  // the handler answers as it does to nobody
)

// expect is the rule the role test checks: what c gets on rt.
func expect(rt route, c credential) outcome {
	switch rt.kind {
	case plain:
		return letThrough
	case webhook:
		return sameAsNone
	case api:
		switch c {
		case viewerBearer:
			if rt.access == operator {
				return forbidden
			}
			return letThrough
		case operatorBearer:
			return letThrough
		}
		// Cookies, sessions included, are no way into the API.
		return unauthorized
	}
	switch c {
	case noCredential, forgedCookie, badBearer:
		return toLogin
	case viewerSession, viewerBearer:
		if rt.access == operator {
			return forbidden
		}
		return letThrough
	case operatorNoCSRF, operatorWrongCSRF, operatorOtherOrign:
		if rt.kind == form {
			return forbidden
		}
	}
	return letThrough
}

// routePath is a path that rt's pattern matches.
func routePath(rt route) string {
	return strings.NewReplacer("{$}", "", "{name}", "no-such-run", "{key}", "no-such-subject",
		"{provider}", "cryptomus", "{file}", "console.css").Replace(rt.pattern)
}

// roleRequest builds the request of credential c to rt; each uses a
// session of its own, since one of the routes is the logout.
func (ts *testServer) roleRequest(t *testing.T, rt route, c credential) *http.Request {
	t.Helper()
	var (
		cookie *http.Cookie
		csrf   string
	)
	switch c {
	case viewerSession:
		cookie, csrf = ts.login(t, viewerToken)
	case operatorSession, operatorNoCSRF, operatorOtherOrign:
		cookie, csrf = ts.login(t, operatorToken)
	case operatorWrongCSRF:
		cookie, _ = ts.login(t, operatorToken)
		_, csrf = ts.login(t, operatorToken)
	case forgedCookie:
		cookie = &http.Cookie{Name: sessionCookie, Value: base64.RawURLEncoding.EncodeToString(make([]byte, 32))}
		csrf = "forged"
	}
	if c == operatorNoCSRF {
		csrf = ""
	}
	var body io.Reader
	switch rt.kind {
	case form:
		v := url.Values{"subjects_text": {"key,cryptomus\n"}}
		if csrf != "" {
			v.Set("csrf", csrf)
		}
		body = strings.NewReader(v.Encode())
	case api, webhook:
		if rt.method != "GET" {
			body = strings.NewReader("{}")
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, rt.method, ts.URL+routePath(rt), body)
	require.NoError(t, err)
	switch rt.kind {
	case form:
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", ts.URL)
	case api, webhook:
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
	}
	if c == operatorOtherOrign {
		req.Header.Set("Origin", "https://attacker.example")
	}
	if cookie != nil {
		req.AddCookie(cookie)
	}
	switch c {
	case viewerBearer:
		req.Header.Set("Authorization", "Bearer "+viewerToken)
	case operatorBearer:
		req.Header.Set("Authorization", "Bearer "+operatorToken)
	case badBearer:
		req.Header.Set("Authorization", "Bearer "+strings.Repeat("x", 40))
	}
	return req
}

// TestRoles sends every route of the table every credential and checks
// what the wrappers do: a route added to the table is covered by adding
// it. The login form itself is left to the login tests, since each
// failed attempt there spends the address's allowance.
func TestRoles(t *testing.T) {
	ts := newTestServer(t, nil)
	for _, rt := range ts.srv.routeTable() {
		if rt.method == "POST" && rt.pattern == "/login" {
			continue
		}
		var noneStatus int
		for c := noCredential; c <= operatorOtherOrign; c++ {
			t.Run(rt.method+" "+rt.pattern+" "+credentialNames[c], func(t *testing.T) {
				resp := ts.do(t, ts.roleRequest(t, rt, c))
				if c == noCredential {
					noneStatus = resp.StatusCode
				}
				loc := resp.Header.Get("Location")
				switch want := expect(rt, c); want {
				case letThrough:
					assert.NotContains(t, []int{http.StatusUnauthorized, http.StatusForbidden}, resp.StatusCode)
					switch {
					case rt.pattern == "/logout":
						// Its own answer is a 303 to /login, clearing the cookie.
						assert.Equal(t, http.StatusSeeOther, resp.StatusCode)
						assert.True(t, clearsSession(resp), "the logout does not clear the cookie")
					case resp.StatusCode == http.StatusSeeOther:
						assert.False(t, strings.HasPrefix(loc, "/login"), "sent to %s", loc)
					}
				case sameAsNone:
					assert.Equal(t, noneStatus, resp.StatusCode)
				case toLogin:
					require.Equal(t, http.StatusSeeOther, resp.StatusCode)
					assert.False(t, clearsSession(resp))
					if rt.method == "GET" || rt.method == "" {
						assert.Equal(t, "/login?next="+url.QueryEscape(routePath(rt)), loc)
					} else {
						assert.Equal(t, "/login", loc)
					}
				case unauthorized:
					require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
					assert.Equal(t, "Bearer", resp.Header.Get("WWW-Authenticate"))
					assert.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"))
					assert.Contains(t, readBody(t, resp), `"type":"urn:restrict:problem:unauthorized"`)
				case forbidden:
					require.Equal(t, http.StatusForbidden, resp.StatusCode)
					if rt.kind == api {
						assert.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"))
						assert.Contains(t, readBody(t, resp), `"type":"urn:restrict:problem:forbidden"`)
					} else {
						assert.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))
						body := readBody(t, resp)
						assert.Contains(t, body, "Not allowed")
						assert.Contains(t, body, `id="who"`)
					}
				}
			})
		}
	}
}

// TestMountedNeedsItsOwnOrigin: River's UI under /river takes every
// method, and a change (a POST of its API) only from this server's own
// pages.
func TestMountedNeedsItsOwnOrigin(t *testing.T) {
	river := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	ts := newTestServer(t, func(c *Config) { c.River = river })
	cookie, _ := ts.login(t, operatorToken)
	for origin, want := range map[string]int{ts.URL: http.StatusNoContent, "https://attacker.example": http.StatusForbidden, "": http.StatusForbidden} {
		req, err := http.NewRequest("POST", ts.URL+"/river/api/jobs/cancel", strings.NewReader(`{"job_ids":["1"]}`))
		require.NoError(t, err)
		req.AddCookie(cookie)
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		assert.Equal(t, want, ts.do(t, req).StatusCode, "origin %q", origin)
	}
	req := ts.request(t, "GET", "/river/jobs", nil)
	req.AddCookie(cookie)
	assert.Equal(t, http.StatusNoContent, ts.do(t, req).StatusCode)
	viewer, _ := ts.login(t, viewerToken)
	req = ts.request(t, "GET", "/river/jobs", nil)
	req.AddCookie(viewer)
	assert.Equal(t, http.StatusForbidden, ts.do(t, req).StatusCode)
}

// TestSessionNotForAPI: a session cookie, good on the pages, is refused by
// the API, which takes bearer tokens only.
func TestSessionNotForAPI(t *testing.T) {
	ts := newTestServer(t, nil)
	cookie, _ := ts.login(t, operatorToken)
	req := ts.request(t, "GET", "/api/v1/runs", nil)
	req.AddCookie(cookie)
	resp := ts.do(t, req)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
}

// TestFormBodyBound: a form larger than maxUpload is refused before its
// handler runs.
func TestFormBodyBound(t *testing.T) {
	ts := newTestServer(t, nil)
	cookie, csrf := ts.login(t, operatorToken)
	big := url.Values{"csrf": {csrf}, "subjects_text": {strings.Repeat("a", maxUpload)}}
	req := ts.request(t, "POST", "/runs/new", big)
	req.AddCookie(cookie)
	resp := ts.do(t, req)
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
}

// TestMultipartFormCSRF: the CSRF field of a multipart form (the new-run
// upload) is read too.
func TestMultipartFormCSRF(t *testing.T) {
	ts := newTestServer(t, nil)
	cookie, csrf := ts.login(t, operatorToken)
	for _, tc := range []struct {
		csrf string
		want func(int) bool
	}{
		{csrf, func(s int) bool { return s != http.StatusForbidden && s != http.StatusSeeOther }},
		{"", func(s int) bool { return s == http.StatusForbidden }},
	} {
		var b strings.Builder
		b.WriteString("--X\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n" + tc.csrf + "\r\n")
		b.WriteString("--X\r\nContent-Disposition: form-data; name=\"subjects_file\"; filename=\"s.csv\"\r\n\r\nkey,cryptomus\r\n--X--\r\n")
		req, err := http.NewRequest("POST", ts.URL+"/runs/new", strings.NewReader(b.String()))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "multipart/form-data; boundary=X")
		req.AddCookie(cookie)
		resp := ts.do(t, req)
		assert.True(t, tc.want(resp.StatusCode), "csrf %q: status %d", tc.csrf != "", resp.StatusCode)
	}
}
