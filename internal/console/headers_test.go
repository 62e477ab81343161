package console

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestSecurityHeaders checks the headers of a page, an API answer, a
// static file and a 404, in the clear and under Config.Secure.
func TestSecurityHeaders(t *testing.T) {
	for _, secure := range []bool{false, true} {
		ts := newTestServer(t, func(c *Config) { c.Secure = secure })
		for _, tc := range []struct {
			name, path, token string
			static            bool
		}{
			{name: "login page", path: "/login"},
			{name: "page", path: "/runs", token: viewerToken},
			{name: "api", path: "/api/v1/runs", token: viewerToken},
			{name: "api refusal", path: "/api/v1/runs"},
			{name: "static", path: "/static/console.css", static: true},
			{name: "404", path: "/no-such-page"},
		} {
			resp := ts.bearer(t, "GET", tc.path, tc.token, nil, "")
			h := resp.Header
			assert.Equal(t, "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "+
				"form-action 'self'; frame-ancestors 'none'; base-uri 'none'", h.Get("Content-Security-Policy"), tc.name)
			assert.Equal(t, "nosniff", h.Get("X-Content-Type-Options"), tc.name)
			assert.Equal(t, "same-origin", h.Get("Referrer-Policy"), tc.name)
			assert.Equal(t, "DENY", h.Get("X-Frame-Options"), tc.name)
			if tc.static {
				assert.NotEqual(t, "no-store", h.Get("Cache-Control"), tc.name)
			} else {
				assert.Equal(t, "no-store", h.Get("Cache-Control"), tc.name)
			}
			if secure {
				assert.Equal(t, "max-age=63072000", h.Get("Strict-Transport-Security"), tc.name)
			} else {
				assert.Empty(t, h.Get("Strict-Transport-Security"), tc.name)
			}
			if tc.name == "404" {
				assert.Equal(t, http.StatusNotFound, resp.StatusCode)
			}
		}
	}
}

// TestHandlerMayReplaceCSP: the headers are set before the handler, so
// one with its own needs (River's UI) may set another policy.
func TestHandlerMayReplaceCSP(t *testing.T) {
	ts := newTestServer(t, nil)
	h := ts.srv.secure(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'")
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/river/", nil))
	assert.Equal(t, "default-src 'self'", rec.Header().Get("Content-Security-Policy"))
	assert.Equal(t, "nosniff", rec.Header().Get("X-Content-Type-Options"))
}
