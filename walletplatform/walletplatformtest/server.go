// Package walletplatformtest is a fake SABI wallet platform for tests: it
// accepts exactly the credentials it was started with (a static token, or
// a user it logs in with JWT-shaped tokens that expire), freezes and
// unfreezes accounts and remembers it, answers GetAccount from that state,
// answers with the platform's envelope in JSON or (when told) in the XML
// form the documentation prints, and can be told to fail.
//
//	creds := walletplatform.Credentials{APIKey: "key", Username: "ops@example.com", PassID: "pass"}
//	srv := walletplatformtest.NewServer(creds)
//	defer srv.Close()
//	srv.AddAccount("acc-1")
//	c, _ := walletplatform.New(creds, restrict.WithBaseURL(srv.BaseURL()))
//	_, err := c.Restrict(ctx, restrict.Target{ID: "acc-1"})
//	acc, _ := srv.Account("acc-1") // acc.Status is now "FROZEN"
//
// Faults are injected the same way as for every fake in this module:
// srv.Inject(restricttest.Fault{Status: 503, Times: 2}).
//
// It checks credentials with its own few lines written from the platform's
// documentation, never with the client's code.
package walletplatformtest

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/restricttest"
	"github.com/restrictkit/restrict/walletplatform"
)

// Example credentials, for tests and examples that need some. NewServer
// accepts exactly the credentials it is given, these or any others.
const (
	APIKey   restrict.Secret = "fake-api-key-0001"
	Username                 = "tech@example.com"
	PassID   restrict.Secret = "fake-pass-id"
)

// The fake's paths, as the platform documents them: the wallet service
// under WalletsPath, the login at LoginPath on the same host.
const (
	WalletsPath = "/platform/wallets"
	LoginPath   = "/api/v1/users/login/platform/public"
)

// DefaultTokenLifetime is how long the fake's tokens live: the platform's sample
// token lives seven days.
const DefaultTokenLifetime = 7 * 24 * time.Hour

// The account statuses the fake keeps and GetAccount answers. The platform
// documents none; these are the fake's choice.
const (
	StatusActive = "ACTIVE"
	StatusFrozen = "FROZEN"
)

// AccountState is an account as the fake holds it.
type AccountState struct {
	UUID string
	// Status is StatusActive or StatusFrozen.
	Status string
}

// Frozen reports whether the account is frozen.
func (a AccountState) Frozen() bool { return a.Status == StatusFrozen }

// Server is the fake platform on a loopback httptest server. Faults,
// BaseURL, Handler, Close and SetClock come from the embedded
// restricttest.Server; the clock dates tokens and checks their expiry. Its
// methods are safe for concurrent use.
type Server struct {
	restricttest.Server

	apiKey   string
	username string // "" when the server was given a static token
	passID   string
	secret   []byte // signs the tokens it issues

	mu            sync.Mutex
	token         string // the static token; "" once revoked or when none
	accounts      map[string]*AccountState
	xml           bool
	contentType   *string
	tokenPath     []string
	ttl           time.Duration
	generation    int
	logins        int
	refuseRepeats bool
}

// NewServer starts a fake platform that accepts exactly creds: their
// APIKey on every call, and either their Token (a "Bearer " prefix is
// ignored) or a login of their Username with their PassID, after which it
// accepts the tokens it issued. It has no accounts; AddAccount makes some.
// Close it when done.
func NewServer(creds walletplatform.Credentials) *Server {
	s := &Server{
		apiKey:    string(creds.APIKey),
		username:  creds.Username,
		passID:    string(creds.PassID),
		token:     bearerless(string(creds.Token)),
		accounts:  map[string]*AccountState{},
		tokenPath: []string{"data", "accessToken"},
		ttl:       DefaultTokenLifetime,
		secret:    make([]byte, 32),
	}
	if s.token != "" {
		s.username, s.passID = "", ""
	}
	if _, err := rand.Read(s.secret); err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+LoginPath, s.login)
	mux.HandleFunc("POST "+WalletsPath+"/accounts/freeze-unfreeze", s.freezeUnfreeze)
	mux.HandleFunc("GET "+WalletsPath+"/accounts/{accountUuid}", s.getAccount)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		// An unknown route gets the framework's answer, not the
		// platform's envelope: NestJS's default 404.
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		_ = json.NewEncoder(w).Encode(map[string]any{"statusCode": http.StatusNotFound,
			"message": "Cannot " + r.Method + " " + r.URL.Path, "error": "Not Found"})
	})
	s.Serve(mux, WalletsPath)
	return s
}

// bearerless is the token the fake expects in the Authorization header.
func bearerless(token string) string {
	t := strings.TrimSpace(token)
	if len(t) > 7 && strings.EqualFold(t[:7], "bearer ") {
		t = strings.TrimSpace(t[7:])
	}
	return t
}

// UsersURL is the users service's root, where the login lives, for
// walletplatform.WithUsersURL; a client finds it there without the option.
// (BaseURL is the wallet service's root, under WalletsPath; Handler serves
// both WalletsPath and LoginPath.)
func (s *Server) UsersURL() string { return strings.TrimSuffix(s.BaseURL(), WalletsPath) }

// AddAccount creates active accounts with these UUIDs.
func (s *Server) AddAccount(uuids ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range uuids {
		s.accounts[id] = &AccountState{UUID: id, Status: StatusActive}
	}
}

// Account returns a copy of an account's state, and whether it exists.
func (s *Server) Account(uuid string) (AccountState, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.accounts[uuid]
	if !ok {
		return AccountState{}, false
	}
	return *a, true
}

// SetRefuseRepeats makes a freeze of a frozen account, or an unfreeze of
// an active one, a refusal (400, "Account already frozen" or "Account
// already unfrozen") instead of the default success. The platform
// documents neither; both are what it may do.
func (s *Server) SetRefuseRepeats(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuseRepeats = on
}

// SetXML makes the fake answer in the XML form the documentation prints
// (on) or in JSON (off, the default).
func (s *Server) SetXML(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.xml = on
}

// SetContentType replaces the Content-Type of every answer; "" sends none.
// Answers keep their syntax, so a test can label XML as JSON.
func (s *Server) SetContentType(ct string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.contentType = &ct
}

// SetTokenPath says where the login answer carries the token, as
// dot-separated names: "data.accessToken" (the default), "data.token",
// "accessToken", "token", or any other place a client should not expect.
func (s *Server) SetTokenPath(path string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokenPath = strings.Split(path, ".")
}

// SetTokenLifetime sets how long tokens issued from now on live.
func (s *Server) SetTokenLifetime(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ttl = d
}

// RevokeTokens makes every token issued so far, and the static token the
// server was started with, invalid, as a server that restarted with a new
// key would: the next call with one is answered 401.
func (s *Server) RevokeTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.generation++
	s.token = ""
}

// Logins counts the successful logins so far.
func (s *Server) Logins() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logins
}

// IssueToken returns a token the fake accepts, as a login outside the
// client would have issued it, without counting a login: for a client
// given a static Credentials.Token.
func (s *Server) IssueToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issue(s.username)
}

// issue signs an HS256 JWT like the platform's: the user, iat and exp, and
// a generation so RevokeTokens can invalidate it. s.mu must be held.
func (s *Server) issue(username string) string {
	now := s.Now()
	header := b64(`{"alg":"HS256","typ":"JWT"}`)
	claims, _ := json.Marshal(map[string]any{
		"username": username, "type": "USER", "gen": s.generation,
		"iat": now.Unix(), "exp": now.Add(s.ttl).Unix(),
	})
	unsigned := header + "." + b64(string(claims))
	return unsigned + "." + base64.RawURLEncoding.EncodeToString(s.sign(unsigned))
}

func (s *Server) sign(v string) []byte {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte(v))
	return m.Sum(nil)
}

func b64(v string) string { return base64.RawURLEncoding.EncodeToString([]byte(v)) }

// validToken checks a bearer token: the static one, or one of ours of this
// generation that has not expired. s.mu must be held.
func (s *Server) validToken(tok string) bool {
	if s.token != "" && equal(tok, s.token) {
		return true
	}
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return false
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || !hmac.Equal(sig, s.sign(parts[0]+"."+parts[1])) {
		return false
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return false
	}
	var claims struct {
		Gen int   `json:"gen"`
		Exp int64 `json:"exp"`
	}
	if json.Unmarshal(payload, &claims) != nil {
		return false
	}
	return claims.Gen == s.generation && s.Now().Before(time.Unix(claims.Exp, 0))
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// authorize checks the apiKey header, and the bearer token unless this is
// the login. It answers 401 itself and reports false when they fail.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request, needToken bool) bool {
	if !equal(r.Header.Get("apiKey"), s.apiKey) {
		s.answer(w, http.StatusUnauthorized, envelope{message: "Invalid api key"})
		return false
	}
	if !needToken {
		return true
	}
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	s.mu.Lock()
	ok = ok && s.validToken(tok)
	s.mu.Unlock()
	if !ok {
		s.answer(w, http.StatusUnauthorized, envelope{message: "Unauthorized", descriptive: "invalid or expired token"})
	}
	return ok
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	if !s.authorize(w, r, false) {
		return
	}
	var body struct {
		Username string `json:"username"`
		PassID   string `json:"passId"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Username == "" || body.PassID == "" {
		s.answer(w, http.StatusBadRequest, envelope{message: "username and passId are required"})
		return
	}
	if s.username == "" || body.Username != s.username || !equal(body.PassID, s.passID) {
		s.answer(w, http.StatusUnauthorized, envelope{message: "Invalid credentials"})
		return
	}
	s.mu.Lock()
	s.logins++
	tok := s.issue(body.Username)
	path := s.tokenPath
	s.mu.Unlock()

	env := envelope{status: true, code: http.StatusCreated, message: "Login successful",
		data: map[string]any{"username": body.Username}, extra: map[string]any{}}
	// Put the token where the test asked: inside data, or at the top.
	var dst map[string]any
	if path[0] == "data" && len(path) > 1 {
		dst, path = env.data, path[1:]
	} else {
		dst = env.extra
	}
	for _, name := range path[:len(path)-1] {
		next := map[string]any{}
		dst[name] = next
		dst = next
	}
	dst[path[len(path)-1]] = tok
	s.answer(w, http.StatusCreated, env)
}

// validID is the fake's notion of a well-formed account ID; the platform
// answers 400 "Invalid account id" for others.
var validID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

func (s *Server) freezeUnfreeze(w http.ResponseWriter, r *http.Request) {
	if !s.authorize(w, r, true) {
		return
	}
	action := r.URL.Query().Get("action")
	if action != "FREEZE" && action != "UNFREEZE" {
		s.answer(w, http.StatusBadRequest, envelope{message: "Invalid action", descriptive: `action must be "FREEZE" or "UNFREEZE"`})
		return
	}
	var body struct {
		AccountID *string `json:"accountId"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.AccountID == nil || !validID.MatchString(*body.AccountID) {
		s.answer(w, http.StatusBadRequest, envelope{message: "Invalid account id"})
		return
	}
	want, msg, repeat := StatusFrozen, "Account freeze successful", "Account already frozen"
	if action == "UNFREEZE" {
		want, msg, repeat = StatusActive, "Account unfreeze successful", "Account already unfrozen"
	}
	s.mu.Lock()
	a, ok := s.accounts[*body.AccountID]
	refused := ok && s.refuseRepeats && a.Status == want
	if ok {
		a.Status = want
	}
	s.mu.Unlock()
	switch {
	case !ok:
		s.answer(w, http.StatusNotFound, envelope{message: "Account id not found"})
	case refused:
		s.answer(w, http.StatusBadRequest, envelope{message: repeat})
	default:
		s.answer(w, http.StatusOK, envelope{status: true, message: msg})
	}
}

func (s *Server) getAccount(w http.ResponseWriter, r *http.Request) {
	if !s.authorize(w, r, true) {
		return
	}
	id := r.PathValue("accountUuid")
	if !validID.MatchString(id) {
		s.answer(w, http.StatusBadRequest, envelope{message: "Invalid account id"})
		return
	}
	s.mu.Lock()
	a, ok := s.accounts[id]
	var data map[string]any
	if ok {
		// The platform documents no account fields; these are the fake's
		// own, shaped as a Mongo-backed service would send them.
		data = map[string]any{"_id": objectID(id), "uuid": a.UUID, "accountNumber": "90" + objectID(id)[:8], "status": a.Status, "currency": "NGN"}
	}
	s.mu.Unlock()
	if !ok {
		s.answer(w, http.StatusNotFound, envelope{message: "Account id not found"})
		return
	}
	s.answer(w, http.StatusOK, envelope{status: true, message: "Account retrieved successfully", data: data})
}

// objectID derives a stable, Mongo-ObjectId-shaped hex string from an ID.
func objectID(id string) string {
	sum := sha256.Sum256([]byte(id))
	return fmt.Sprintf("%x", sum[:12])
}

// envelope is the platform's answer: {status, statusCode, message, data,
// errors: [{message, descriptiveMessage}]}.
type envelope struct {
	status      bool
	code        int // statusCode; the HTTP status for errors, 0 for success
	message     string
	descriptive string
	data        map[string]any
	extra       map[string]any // top-level fields beside the envelope's
}

func (s *Server) answer(w http.ResponseWriter, httpStatus int, e envelope) {
	s.mu.Lock()
	asXML, ct := s.xml, s.contentType
	s.mu.Unlock()

	doc := map[string]any{"status": e.status, "statusCode": e.code, "message": e.message}
	if !e.status && e.code == 0 {
		doc["statusCode"] = httpStatus
	}
	if e.data != nil {
		doc["data"] = e.data
	} else {
		doc["data"] = map[string]any{}
	}
	errs := []any{}
	if !e.status {
		errs = append(errs, map[string]any{"message": e.message, "descriptiveMessage": e.descriptive})
	}
	doc["errors"] = errs
	for k, v := range e.extra {
		doc[k] = v
	}

	var body []byte
	contentType := "application/json; charset=utf-8"
	if asXML {
		contentType = "application/xml; charset=utf-8"
		var b strings.Builder
		writeXML(&b, "response", doc)
		body = []byte(b.String())
	} else {
		body, _ = json.Marshal(doc)
	}
	if ct != nil {
		contentType = *ct
	}
	if contentType == "" {
		// nil, not "": net/http would otherwise sniff one.
		w.Header()["Content-Type"] = nil
	} else {
		w.Header().Set("Content-Type", contentType)
	}
	w.WriteHeader(httpStatus)
	_, _ = w.Write(body)
}

// writeXML renders a value in the documentation's XML form: an element per
// key (the envelope's in its documented order, then the rest sorted, so
// answers are stable), <errors><error>… for the errors array, and escaped
// text for everything else.
func writeXML(b *strings.Builder, name string, v any) {
	switch v := v.(type) {
	case map[string]any:
		b.WriteString("<" + name + ">")
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		order := map[string]int{"status": 1, "statusCode": 2, "message": 3, "data": 4, "errors": 5}
		sort.Slice(keys, func(i, j int) bool {
			oi, oj := order[keys[i]], order[keys[j]]
			if oi != oj {
				if oi == 0 || oj == 0 {
					return oi != 0
				}
				return oi < oj
			}
			return keys[i] < keys[j]
		})
		for _, k := range keys {
			writeXML(b, k, v[k])
		}
		b.WriteString("</" + name + ">")
	case []any:
		b.WriteString("<" + name + ">")
		for _, item := range v {
			writeXML(b, strings.TrimSuffix(name, "s"), item)
		}
		b.WriteString("</" + name + ">")
	default:
		b.WriteString("<" + name + ">")
		_ = xml.EscapeText(b, []byte(fmt.Sprint(v)))
		b.WriteString("</" + name + ">")
	}
}
