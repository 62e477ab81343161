package console

import (
	"net/http"
	"strings"
)

// contentSecurityPolicy allows the console's own scripts, styles and
// images only, and no inline script or style: an injected tag runs
// nothing. Pages may not be framed, forms post only here.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// hsts keeps browsers on TLS for two years once they have seen it; not
// for subdomains, which this server does not speak for.
const hsts = "max-age=63072000"

// secure sets the headers every response has. They are set before the
// handler runs, so a handler may replace one (River's UI its own CSP).
func (s *Server) secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		// Pages and answers hold customer data: no cache keeps them.
		// The static files hold none and may be cached.
		if !strings.HasPrefix(r.URL.Path, "/static/") {
			h.Set("Cache-Control", "no-store")
		}
		if s.cfg.Secure {
			h.Set("Strict-Transport-Security", hsts)
		}
		next.ServeHTTP(w, r)
	})
}
