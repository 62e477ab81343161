package console

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// loginData is what the login page shows.
type loginData struct {
	// Next is where a successful login goes, a local path or "".
	Next string
	// Error says the last attempt failed, never why in detail.
	Error string
}

// loginFailed is the one message of every failed login: which part of a
// token was wrong is not for a guesser to learn.
const loginFailed = "That token did not sign you in."

// loginPage shows the login form.
func (s *Server) loginPage(w http.ResponseWriter, r *http.Request, _ *principal) {
	s.render(w, r, nil, http.StatusOK, "login.html", "Sign in", loginData{Next: localPath(r.URL.Query().Get("next"))})
}

// login exchanges a token for a session. A failure spends one of the
// address's attempts; once they are spent the token is not even looked
// at until the address may try again.
func (s *Server) login(w http.ResponseWriter, r *http.Request, _ *principal) {
	addr := clientAddr(r)
	// A login posted from another site would sign the browser in as
	// whoever that site chose.
	if origin := r.Header.Get("Origin"); origin != "" && origin != s.origin(r) {
		s.log.Warn("refused a login from another origin", "address", addr)
		s.render(w, r, nil, http.StatusForbidden, "login.html", "Sign in", loginData{Error: "This login form came from another site."})
		return
	}
	done, d := s.auth.throttle.attempt(throttleKey(addr))
	if done == nil {
		s.log.Warn("throttled a login", "address", addr)
		w.Header().Set("Retry-After", strconv.Itoa(retryAfter(d)))
		s.render(w, r, nil, http.StatusTooManyRequests, "login.html", "Sign in",
			loginData{Error: "Too many failed attempts from your address: wait " + strconv.Itoa(retryAfter(d)) + " seconds and try again."})
		return
	}
	if err := r.ParseForm(); err != nil {
		done(false)
		if errors.As(err, new(*http.MaxBytesError)) {
			http.Error(w, "the login form is larger than a token", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "the login form cannot be read", http.StatusBadRequest)
		return
	}
	next := localPath(r.PostFormValue("next"))
	tok := matchToken(s.auth.tokens, r.PostFormValue("token"))
	done(tok != nil)
	if tok == nil {
		s.log.Warn("failed login", "address", addr)
		s.render(w, r, nil, http.StatusUnauthorized, "login.html", "Sign in", loginData{Next: next, Error: loginFailed})
		return
	}
	// A session is always new at a login, so that a cookie planted
	// before it (session fixation) is worth nothing after.
	if old := sessionID(r); old != "" {
		s.auth.sessions.end(old)
	}
	id, _, err := s.auth.sessions.create(tok)
	if err != nil {
		s.log.Error("starting a session", "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	s.log.Info("login", "name", tok.name, "role", string(tok.role), "address", addr)
	http.SetCookie(w, s.sessionCookieFor(id))
	if next == "" {
		next = "/runs"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// logout ends the session and clears its cookie.
func (s *Server) logout(w http.ResponseWriter, r *http.Request, p *principal) {
	if id := sessionID(r); id != "" {
		s.auth.sessions.end(id)
	}
	s.log.Info("logout", "name", p.Name)
	http.SetCookie(w, s.sessionCookieFor(""))
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// localPath is next if it is a path on this server, else "": a login
// must not send anyone to another site. "//host" and "/\host" are
// another site to a browser, and so is a path with a control character
// a browser strips ("/\t/host").
func localPath(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return ""
	}
	for _, c := range next {
		if c < 0x20 || c == 0x7f || c == '\\' {
			return ""
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return ""
	}
	return next
}
