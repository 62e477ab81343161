package console

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"sync"
	"time"
)

// sessionCookie is the name of the cookie that carries a session ID.
const sessionCookie = "restrict_session"

const (
	// sessionIdle ends a session nobody used for this long: a console
	// left open on an unattended desk stops being a way in.
	sessionIdle = 30 * time.Minute
	// sessionAbsolute ends every session this long after its login, used
	// or not: a working day, after which a stolen cookie is worthless.
	sessionAbsolute = 12 * time.Hour
)

// maxSessions bounds the sessions kept: logins that succeed are not
// slowed, so a script holding a token could otherwise fill the memory.
// Past it the session used least recently ends, which is most likely
// one forgotten in a browser.
const maxSessions = 10000

// sessionIDBytes is the randomness of a session ID and of a CSRF token:
// 256 bits, beyond guessing.
const sessionIDBytes = 32

// session is one login. Its ID is not kept: only its hash is the key, so
// that a dump of the process's memory gives no working cookie.
type session struct {
	name    string
	role    Role
	csrf    string
	created time.Time
	seen    time.Time
}

// sessionStore keeps the sessions in memory: a restart signs everyone
// out, which is the safe way round.
type sessionStore struct {
	now func() time.Time

	mu        sync.Mutex
	byHash    map[[sha256.Size]byte]*session
	lastPurge time.Time
}

func newSessionStore(now func() time.Time) *sessionStore {
	return &sessionStore{now: now, byHash: map[[sha256.Size]byte]*session{}}
}

// randomToken is sessionIDBytes of crypto/rand, base64url.
func randomToken() (string, error) {
	b := make([]byte, sessionIDBytes)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// create starts a session for tok and gives its ID, which only the
// cookie holds.
func (st *sessionStore) create(tok *tokenEntry) (string, *session, error) {
	id, err := randomToken()
	if err != nil {
		return "", nil, err
	}
	csrf, err := randomToken()
	if err != nil {
		return "", nil, err
	}
	now := st.now()
	s := &session{name: tok.name, role: tok.role, csrf: csrf, created: now, seen: now}
	st.mu.Lock()
	defer st.mu.Unlock()
	st.purgeLocked(now)
	if len(st.byHash) >= maxSessions {
		st.evictLocked()
	}
	st.byHash[sha256.Sum256([]byte(id))] = s
	return id, s, nil
}

// lookup finds the live session of id and marks it used, or gives nil.
func (st *sessionStore) lookup(id string) *session {
	if id == "" {
		return nil
	}
	key := sha256.Sum256([]byte(id))
	now := st.now()
	st.mu.Lock()
	defer st.mu.Unlock()
	s := st.byHash[key]
	if s == nil {
		return nil
	}
	if expired(s, now) {
		delete(st.byHash, key)
		return nil
	}
	s.seen = now
	// A copy, so that a request reads its session without the lock.
	c := *s
	return &c
}

// end forgets the session of id.
func (st *sessionStore) end(id string) {
	key := sha256.Sum256([]byte(id))
	st.mu.Lock()
	defer st.mu.Unlock()
	delete(st.byHash, key)
}

// len is how many sessions are kept, expired ones included until purged.
func (st *sessionStore) len() int {
	st.mu.Lock()
	defer st.mu.Unlock()
	return len(st.byHash)
}

// purgeLocked forgets expired sessions, at most once a minute, so that
// sessions nobody ends do not pile up.
func (st *sessionStore) purgeLocked(now time.Time) {
	if now.Sub(st.lastPurge) < time.Minute {
		return
	}
	st.lastPurge = now
	for k, s := range st.byHash {
		if expired(s, now) {
			delete(st.byHash, k)
		}
	}
}

// evictLocked ends the session used least recently.
func (st *sessionStore) evictLocked() {
	var (
		oldest [sha256.Size]byte
		seen   time.Time
	)
	for k, s := range st.byHash {
		if seen.IsZero() || s.seen.Before(seen) {
			oldest, seen = k, s.seen
		}
	}
	delete(st.byHash, oldest)
}

func expired(s *session, now time.Time) bool {
	return now.Sub(s.seen) >= sessionIdle || now.Sub(s.created) >= sessionAbsolute
}

// sessionCookieFor is the cookie that carries id; an empty id clears it.
func (s *Server) sessionCookieFor(id string) *http.Cookie {
	c := &http.Cookie{
		Name:     sessionCookie,
		Value:    id,
		Path:     "/",
		HttpOnly: true,
		Secure:   s.cfg.Secure,
		SameSite: http.SameSiteStrictMode,
		MaxAge:   int(sessionAbsolute / time.Second),
	}
	if id == "" {
		c.MaxAge = -1
	}
	return c
}

// sessionID is the request's session cookie, or "".
func sessionID(r *http.Request) string {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return ""
	}
	return c.Value
}
