package console

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict/internal/testkit"
)

// wrongToken is long enough to be a token, and nobody's.
const wrongToken = "wrong-token-0123456789abcdefghijklmnopqr"

func TestLoginPage(t *testing.T) {
	ts := newTestServer(t, nil)
	resp := ts.do(t, ts.request(t, "GET", "/login?next="+url.QueryEscape(`/runs?x="><script>`), nil))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	body := readBody(t, resp)
	for _, s := range []string{`id="login-form"`, `method="post"`, `action="/login"`, `id="token"`, `name="token"`, `id="login-submit"`} {
		assert.Contains(t, body, s)
	}
	assert.NotContains(t, body, `"><script>`, "next is escaped")
	assert.Contains(t, body, `name="next" value="/runs?x=&#34;&gt;&lt;script&gt;"`)
	assert.NotContains(t, body, `id="who"`, "nobody is signed in")
}

func TestLoginFailure(t *testing.T) {
	ts := newTestServer(t, nil)
	resp := ts.postLogin(t, wrongToken, "/runs/x")
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	body := readBody(t, resp)
	assert.Contains(t, body, `class="error"`)
	assert.Contains(t, body, loginFailed)
	assert.NotContains(t, body, wrongToken)
	assert.Contains(t, body, `value="/runs/x"`, "the next path survives a failure")
	assert.Empty(t, resp.Cookies())
	assert.Zero(t, ts.srv.auth.sessions.len())
}

func TestLoginBodyBound(t *testing.T) {
	ts := newTestServer(t, nil)
	resp := ts.postLogin(t, strings.Repeat("a", maxLoginBody), "")
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
	assert.Empty(t, resp.Cookies())
}

// TestLoginThrottle: five fast failures are let through; the sixth
// attempt is refused with 429 without its token being looked at (the
// right one is refused too), until the address's allowance refills.
func TestLoginThrottle(t *testing.T) {
	clock := testkit.NewClock(time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC))
	ts := newTestServer(t, func(c *Config) { c.Now = clock.Now })
	// Logins that succeed spend nothing.
	for range 2 * loginBurst {
		ts.login(t, viewerToken)
	}
	for i := range loginBurst {
		resp := ts.postLogin(t, wrongToken, "")
		require.Equal(t, http.StatusUnauthorized, resp.StatusCode, "failure %d", i+1)
	}
	resp := ts.postLogin(t, operatorToken, "")
	require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	assert.Equal(t, "2", resp.Header.Get("Retry-After"))
	assert.Empty(t, resp.Cookies())
	assert.Contains(t, readBody(t, resp), `class="error"`)

	// Another address is not slowed by this one.
	req := httptest.NewRequest("POST", "/login", strings.NewReader(url.Values{"token": {operatorToken}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.RemoteAddr = "192.0.2.9:4711"
	rec := httptest.NewRecorder()
	ts.srv.ServeHTTP(rec, req)
	assert.Equal(t, http.StatusSeeOther, rec.Code)

	clock.Advance(loginEvery)
	resp = ts.postLogin(t, operatorToken, "")
	assert.Equal(t, http.StatusSeeOther, resp.StatusCode)
	resp = ts.postLogin(t, wrongToken, "")
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	resp = ts.postLogin(t, wrongToken, "")
	assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
}

// TestThrottleBounded: the addresses remembered stay under throttleMax,
// and an idle one is forgotten.
func TestThrottleBounded(t *testing.T) {
	clock := testkit.NewClock(time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC))
	th := newThrottle(clock.Now)
	for i := range throttleMax + 100 {
		done, _ := th.attempt("192.0.2." + strconv.Itoa(i))
		done(false)
	}
	assert.LessOrEqual(t, len(th.addrs), throttleMax)
	clock.Advance(loginEvery*loginBurst + time.Minute)
	done, _ := th.attempt("fresh")
	done(false)
	assert.Len(t, th.addrs, 1)
}

func TestLoginNext(t *testing.T) {
	ts := newTestServer(t, nil)
	for _, tc := range []struct{ next, want string }{
		{"", "/runs"},
		{"/runs/r1?provider=purse&result=failed", "/runs/r1?provider=purse&result=failed"},
		{"/subjects/k%2F1", "/subjects/k%2F1"},
		{"//evil.example/", "/runs"},
		{`/\evil.example/`, "/runs"},
		{"/\t/evil.example/", "/runs"},
		{"/\n/evil.example/", "/runs"},
		{"https://evil.example/", "/runs"},
		{"evil.example", "/runs"},
		{"javascript:alert(1)", "/runs"},
	} {
		resp := ts.postLogin(t, viewerToken, tc.next)
		require.Equal(t, http.StatusSeeOther, resp.StatusCode, tc.next)
		assert.Equal(t, tc.want, resp.Header.Get("Location"), "next %q", tc.next)
	}
}

func TestSessionCookie(t *testing.T) {
	for _, secure := range []bool{false, true} {
		ts := newTestServer(t, func(c *Config) { c.Secure = secure })
		resp := ts.postLogin(t, viewerToken, "")
		require.Equal(t, http.StatusSeeOther, resp.StatusCode)
		require.Len(t, resp.Cookies(), 1)
		c := resp.Cookies()[0]
		assert.Equal(t, sessionCookie, c.Name)
		assert.Equal(t, "/", c.Path)
		assert.True(t, c.HttpOnly)
		assert.Equal(t, http.SameSiteStrictMode, c.SameSite)
		assert.Equal(t, secure, c.Secure)
		assert.Equal(t, int(sessionAbsolute.Seconds()), c.MaxAge)
		id, err := base64.RawURLEncoding.DecodeString(c.Value)
		require.NoError(t, err)
		assert.Len(t, id, 32)
		raw := resp.Header.Get("Set-Cookie")
		assert.Contains(t, raw, "HttpOnly")
		assert.Contains(t, raw, "SameSite=Strict")
		// The store keys the session by its hash; the ID itself is nowhere.
		ts.srv.auth.sessions.mu.Lock()
		for k, s := range ts.srv.auth.sessions.byHash {
			assert.NotEqual(t, c.Value, string(k[:]))
			assert.NotEqual(t, c.Value, s.csrf)
		}
		ts.srv.auth.sessions.mu.Unlock()
	}
}

// TestSessionExpiry: 30 minutes idle ends a session, and so do 12 hours
// of use.
func TestSessionExpiry(t *testing.T) {
	clock := testkit.NewClock(time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC))
	ts := newTestServer(t, func(c *Config) { c.Now = clock.Now })
	get := func(c *http.Cookie) *http.Response {
		req := ts.request(t, "GET", "/runs", nil)
		req.AddCookie(c)
		return ts.do(t, req)
	}
	idle, _ := ts.login(t, viewerToken)
	clock.Advance(sessionIdle - 1)
	assert.NotEqual(t, http.StatusSeeOther, get(idle).StatusCode, "used just in time")
	clock.Advance(sessionIdle)
	assert.Equal(t, http.StatusSeeOther, get(idle).StatusCode, "idle too long")

	busy, _ := ts.login(t, viewerToken)
	step := sessionIdle / 2
	elapsed := time.Duration(0)
	for ; elapsed+step < sessionAbsolute; elapsed += step {
		clock.Advance(step)
		require.NotEqual(t, http.StatusSeeOther, get(busy).StatusCode, "at %s", elapsed+step)
	}
	clock.Advance(sessionAbsolute - elapsed)
	assert.Equal(t, http.StatusSeeOther, get(busy).StatusCode, "past the absolute limit")
}

// TestLogout: a logout ends the session on the server, not only in the
// browser: the old cookie is then worth nothing. Without the CSRF token it
// is refused and the session lives on.
func TestLogout(t *testing.T) {
	ts := newTestServer(t, nil)
	cookie, csrf := ts.login(t, operatorToken)
	runs := func() *http.Response {
		req := ts.request(t, "GET", "/runs", nil)
		req.AddCookie(cookie)
		return ts.do(t, req)
	}
	require.NotEqual(t, http.StatusSeeOther, runs().StatusCode)

	req := ts.request(t, "POST", "/logout", url.Values{})
	req.AddCookie(cookie)
	resp := ts.do(t, req)
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	require.NotEqual(t, http.StatusSeeOther, runs().StatusCode, "still signed in")

	req = ts.request(t, "POST", "/logout", url.Values{"csrf": {csrf}})
	req.AddCookie(cookie)
	resp = ts.do(t, req)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Equal(t, "/login", resp.Header.Get("Location"))
	assert.True(t, clearsSession(resp))

	resp = runs()
	assert.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Equal(t, "/login?next=%2Fruns", resp.Header.Get("Location"))
}

// TestLoginReplacesSession: a login ends the session the browser had, so
// a cookie planted before it is worth nothing after.
func TestLoginReplacesSession(t *testing.T) {
	ts := newTestServer(t, nil)
	planted, _ := ts.login(t, viewerToken)
	req := ts.request(t, "POST", "/login", url.Values{"token": {operatorToken}})
	req.AddCookie(planted)
	resp := ts.do(t, req)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Nil(t, ts.srv.auth.sessions.lookup(planted.Value))
	assert.Equal(t, 1, ts.srv.auth.sessions.len())
}

// TestLoginThrottleIPv6: the addresses of one IPv6 /64 share one
// allowance.
func TestLoginThrottleIPv6(t *testing.T) {
	clock := testkit.NewClock(time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC))
	ts := newTestServer(t, func(c *Config) { c.Now = clock.Now })
	post := func(remote, token string) int {
		req := httptest.NewRequest("POST", "/login", strings.NewReader(url.Values{"token": {token}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.RemoteAddr = remote
		rec := httptest.NewRecorder()
		ts.srv.ServeHTTP(rec, req)
		return rec.Code
	}
	for i := range loginBurst {
		require.Equal(t, http.StatusUnauthorized, post("[2001:db8:1:2::"+strconv.Itoa(i+1)+"]:4711", wrongToken))
	}
	assert.Equal(t, http.StatusTooManyRequests, post("[2001:db8:1:2:ffff::9]:4711", viewerToken))
	assert.Equal(t, http.StatusSeeOther, post("[2001:db8:1:3::1]:4711", viewerToken), "another /64")
}

// TestLoginFromAnotherOrigin: a login form posted from another site is
// refused, so that no site can sign a browser in as someone it chose.
func TestLoginFromAnotherOrigin(t *testing.T) {
	ts := newTestServer(t, nil)
	req := ts.request(t, "POST", "/login", url.Values{"token": {viewerToken}})
	req.Header.Set("Origin", "https://attacker.example")
	resp := ts.do(t, req)
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	assert.Empty(t, resp.Cookies())

	req = ts.request(t, "POST", "/login", url.Values{"token": {viewerToken}})
	req.Header.Set("Origin", ts.URL)
	resp = ts.do(t, req)
	assert.Equal(t, http.StatusSeeOther, resp.StatusCode)
}

// TestSessionsBounded: past maxSessions the session used least recently
// ends.
func TestSessionsBounded(t *testing.T) {
	clock := testkit.NewClock(time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC))
	st := newSessionStore(clock.Now)
	tok := &tokenEntry{name: "vera", role: RoleViewer}
	first, _, err := st.create(tok)
	require.NoError(t, err)
	clock.Advance(time.Second)
	second, _, err := st.create(tok)
	require.NoError(t, err)
	clock.Advance(time.Second)
	for range maxSessions - 2 {
		_, _, err := st.create(tok)
		require.NoError(t, err)
	}
	clock.Advance(time.Second)
	require.NotNil(t, st.lookup(first), "used again: now the most recent")
	_, _, err = st.create(tok)
	require.NoError(t, err)
	assert.Equal(t, maxSessions, st.len())
	assert.NotNil(t, st.lookup(first))
	assert.Nil(t, st.lookup(second))
}
