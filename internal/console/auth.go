package console

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// The bounds of request bodies, by what a route takes.
const (
	// maxLoginBody bounds the login form and every route that takes no
	// body: a token and a path fit many times over.
	maxLoginBody = 4 << 10
	// maxUpload bounds a form's or an API request's body: a subjects
	// file of a few hundred thousand rows.
	maxUpload = 32 << 20
	// maxWebhookBody bounds a provider's webhook: one event.
	maxWebhookBody = 1 << 20
)

// principal is who a request is from.
type principal struct {
	Name string
	Role Role
	// CSRF is the session's token; empty for a bearer token.
	CSRF string
}

// CanOperate says whether p may submit runs and change limits.
func (p *principal) CanOperate() bool { return p != nil && p.Role == RoleOperator }

// may says whether p may use a route of access a.
func (p *principal) may(a access) bool {
	switch a {
	case viewer:
		return p != nil
	case operator:
		return p.CanOperate()
	}
	return true
}

// authState is who may sign in, who has, and who failed lately.
type authState struct {
	tokens   []tokenEntry
	sessions *sessionStore
	throttle *throttle
}

func newAuthState(tokens []Token, now func() time.Time) (*authState, error) {
	entries, err := newTokenEntries(tokens)
	if err != nil {
		return nil, err
	}
	return &authState{tokens: entries, sessions: newSessionStore(now), throttle: newThrottle(now)}, nil
}

// bearer is the request's bearer token, or "".
func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return "", false
	}
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", true
	}
	return strings.TrimSpace(tok), true
}

// fromBearer is the principal of the request's bearer token, or nil.
func (s *Server) fromBearer(r *http.Request) *principal {
	tok, ok := bearer(r)
	if !ok {
		return nil
	}
	e := matchToken(s.auth.tokens, tok)
	if e == nil {
		s.log.Warn("refused a bearer token", "address", clientAddr(r), "path", r.URL.Path)
		return nil
	}
	return &principal{Name: e.name, Role: e.role}
}

// fromSession is the principal of the request's session cookie, or nil.
func (s *Server) fromSession(r *http.Request) *principal {
	sess := s.auth.sessions.lookup(sessionID(r))
	if sess == nil {
		return nil
	}
	return &principal{Name: sess.name, Role: sess.role, CSRF: sess.csrf}
}

// browserPrincipal is who a page's request is from: a bearer token when
// the request has an Authorization header (a script), else the session.
func (s *Server) browserPrincipal(r *http.Request) *principal {
	if _, ok := bearer(r); ok {
		return s.fromBearer(r)
	}
	return s.fromSession(r)
}

// wrap authenticates and bounds each request of rt as its kind wants,
// then calls its handler.
func (s *Server) wrap(rt route) http.Handler {
	limit := int64(maxLoginBody)
	switch rt.kind {
	case form, api:
		limit = maxUpload
	case webhook:
		limit = maxWebhookBody
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		var p *principal
		switch rt.kind {
		case page, form, mounted:
			if p = s.browserPrincipal(r); p == nil {
				s.toLogin(w, r)
				return
			}
		case api:
			if p = s.fromBearer(r); p == nil {
				w.Header().Set("WWW-Authenticate", "Bearer")
				writeProblem(w, http.StatusUnauthorized, "unauthorized", "Unauthorized", "This endpoint needs Authorization: Bearer with a console token.")
				return
			}
		}
		if !p.may(rt.access) {
			s.log.Warn("refused a role", "name", p.Name, "role", string(p.Role), "path", r.URL.Path)
			if rt.kind == api {
				writeProblem(w, http.StatusForbidden, "forbidden", "Forbidden", "This endpoint is for operators; the token's role is "+string(p.Role)+".")
				return
			}
			s.forbidden(w, r, p, "This page is for operators; you are signed in as a "+string(p.Role)+".")
			return
		}
		if rt.kind == form && !s.checkForm(w, r, p) {
			return
		}
		if rt.kind == mounted && !s.checkOrigin(w, r, p) {
			return
		}
		rt.handle(w, r, p)
	})
}

// toLogin sends a visitor without a session to the login page, coming
// back to where they were if that was a page they can load again.
func (s *Server) toLogin(w http.ResponseWriter, r *http.Request) {
	target := "/login"
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		target += "?next=" + url.QueryEscape(r.URL.RequestURI())
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// checkOrigin refuses, with 403, a request that would change something
// (any method but GET and HEAD) unless its Origin is this server's: a
// browser sends Origin with every such request, and another site's is
// not ours. A bearer token needs none.
func (s *Server) checkOrigin(w http.ResponseWriter, r *http.Request, p *principal) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead || p.CSRF == "" {
		return true
	}
	if r.Header.Get("Origin") != s.origin(r) {
		s.log.Warn("refused a request from another origin", "address", clientAddr(r), "path", r.URL.Path)
		s.forbidden(w, r, p, "This request came from another site.")
		return false
	}
	return true
}

// checkForm refuses, with 403, a form that came from another origin or
// that lacks its session's CSRF token. A bearer token needs none: no
// other site can make a browser send one.
func (s *Server) checkForm(w http.ResponseWriter, r *http.Request, p *principal) bool {
	if origin := r.Header.Get("Origin"); origin != "" && origin != s.origin(r) {
		s.log.Warn("refused a form from another origin", "address", clientAddr(r), "path", r.URL.Path)
		s.forbidden(w, r, p, "This form came from another site.")
		return false
	}
	if p.CSRF == "" {
		return true
	}
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		// All in memory: a subjects file is customer data, and a body is
		// already bounded by maxUpload.
		err = r.ParseMultipartForm(maxUpload)
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		if errors.As(err, new(*http.MaxBytesError)) {
			http.Error(w, "the form is larger than the console takes", http.StatusRequestEntityTooLarge)
			return false
		}
		http.Error(w, "the form cannot be read", http.StatusBadRequest)
		return false
	}
	if subtle.ConstantTimeCompare([]byte(r.PostFormValue("csrf")), []byte(p.CSRF)) != 1 {
		s.log.Warn("refused a form without its CSRF token", "name", p.Name, "path", r.URL.Path)
		s.forbidden(w, r, p, "This form has expired: go back, reload the page and try again.")
		return false
	}
	return true
}

// origin is this server's origin as the browser sees it.
func (s *Server) origin(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || s.cfg.Secure {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// forbidden answers 403 with a page that says why.
func (s *Server) forbidden(w http.ResponseWriter, r *http.Request, p *principal, why string) {
	s.render(w, r, p, http.StatusForbidden, "forbidden.html", "Not allowed", why)
}
