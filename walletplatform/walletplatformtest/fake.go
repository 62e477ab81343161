// Package walletplatformtest is a fake SABI wallet platform for tests: it
// logs users in with JWT-shaped tokens that expire, freezes and unfreezes
// accounts and remembers it, looks accounts up, answers with the platform's
// envelope in JSON or (when told) XML, and can be told to fail.
//
//	srv := walletplatformtest.NewServer()
//	defer srv.Close()
//	srv.AddAccount("acc-1")
//	c, _ := walletplatform.New(walletplatform.Credentials{
//		APIKey:   walletplatformtest.APIKey,
//		Username: walletplatformtest.Username,
//		PassID:   walletplatformtest.PassID,
//	}, restrict.WithBaseURL(srv.BaseURL()))
//	_, err := c.FreezeAccount(ctx, "acc-1")
//	acc, _ := srv.Account("acc-1") // acc.Frozen is now true
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
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/restricttest"
)

// The credentials the fake accepts from the start. AddUser adds more users.
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

// DefaultTokenTTL is how long the fake's tokens live: the platform's sample
// token lives seven days.
const DefaultTokenTTL = 7 * 24 * time.Hour

// AccountState is an account as the fake holds it.
type AccountState struct {
	UUID   string
	Frozen bool
}

// Handler is the fake platform as an http.Handler, for mounting on a server
// of the test's own. Its methods are safe for concurrent use.
type Handler struct {
	restricttest.Faults

	mux http.Handler

	mu          sync.Mutex
	secret      []byte // signs the tokens
	users       map[string]string
	accounts    map[string]*AccountState
	xml         bool
	contentType *string
	tokenPath   []string
	ttl         time.Duration
	now         func() time.Time
	generation  int
	logins      int
}

// NewHandler returns a fake platform with the default user and no
// accounts.
func NewHandler() *Handler {
	h := &Handler{
		users:     map[string]string{Username: string(PassID)},
		accounts:  map[string]*AccountState{},
		tokenPath: []string{"data", "accessToken"},
		ttl:       DefaultTokenTTL,
		now:       time.Now,
		secret:    make([]byte, 32),
	}
	if _, err := rand.Read(h.secret); err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+LoginPath, h.login)
	mux.HandleFunc("POST "+WalletsPath+"/accounts/freeze-unfreeze", h.freezeUnfreeze)
	mux.HandleFunc("GET "+WalletsPath+"/accounts/{accountUuid}", h.getAccount)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		// An unknown route gets the framework's answer, not the
		// platform's envelope: NestJS's default 404.
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		_ = json.NewEncoder(w).Encode(map[string]any{"statusCode": http.StatusNotFound,
			"message": "Cannot " + r.Method + " " + r.URL.Path, "error": "Not Found"})
	})
	h.mux = h.Faults.Wrap(mux)
	return h
}

// ServeHTTP serves one request, after any injected fault.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// Server is the fake platform on a loopback httptest server.
type Server struct {
	*httptest.Server
	*Handler
}

// NewServer starts a fake platform. Close it when done.
func NewServer() *Server {
	h := NewHandler()
	return &Server{Server: httptest.NewServer(h), Handler: h}
}

// BaseURL is the wallet service's root, for restrict.WithBaseURL.
func (s *Server) BaseURL() string { return s.URL + WalletsPath }

// AddUser lets another user log in.
func (h *Handler) AddUser(username, passID string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.users[username] = passID
}

// AddAccount creates active accounts with these UUIDs.
func (h *Handler) AddAccount(uuids ...string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, id := range uuids {
		h.accounts[id] = &AccountState{UUID: id}
	}
}

// Account returns a copy of an account's state, and whether it exists.
func (h *Handler) Account(uuid string) (AccountState, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	a, ok := h.accounts[uuid]
	if !ok {
		return AccountState{}, false
	}
	return *a, true
}

// SetXML makes the fake answer in the XML form the documentation prints
// (on) or in JSON (off, the default).
func (h *Handler) SetXML(on bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.xml = on
}

// SetContentType replaces the Content-Type of every answer; "" sends none.
// Answers keep their syntax, so a test can label XML as JSON.
func (h *Handler) SetContentType(ct string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.contentType = &ct
}

// SetTokenPath says where the login answer carries the token, as
// dot-separated names: "data.accessToken" (the default), "data.token",
// "accessToken", "token", or any other place a client should not expect.
func (h *Handler) SetTokenPath(path string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.tokenPath = strings.Split(path, ".")
}

// SetTokenTTL sets how long tokens issued from now on live.
func (h *Handler) SetTokenTTL(d time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.ttl = d
}

// SetNow replaces the fake's clock, which dates tokens and checks their
// expiry.
func (h *Handler) SetNow(now func() time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.now = now
}

// RevokeTokens makes every token issued so far invalid, as a server that
// restarted with a new key would: the next call with one is answered 401.
func (h *Handler) RevokeTokens() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.generation++
}

// Logins counts the successful logins so far.
func (h *Handler) Logins() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.logins
}

// IssueToken returns a valid token for the default user without counting
// a login, for clients given a static Credentials.Token.
func (h *Handler) IssueToken() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.issue(Username)
}

// issue signs an HS256 JWT like the platform's: the user, iat and exp, and
// a generation so RevokeTokens can invalidate it. h.mu must be held.
func (h *Handler) issue(username string) string {
	now := h.now()
	header := b64(`{"alg":"HS256","typ":"JWT"}`)
	claims, _ := json.Marshal(map[string]any{
		"username": username, "type": "USER", "gen": h.generation,
		"iat": now.Unix(), "exp": now.Add(h.ttl).Unix(),
	})
	unsigned := header + "." + b64(string(claims))
	return unsigned + "." + base64.RawURLEncoding.EncodeToString(h.sign(unsigned))
}

func (h *Handler) sign(s string) []byte {
	m := hmac.New(sha256.New, h.secret)
	m.Write([]byte(s))
	return m.Sum(nil)
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// validToken checks a bearer token: our signature, this generation, not
// expired. h.mu must be held.
func (h *Handler) validToken(tok string) bool {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return false
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || !hmac.Equal(sig, h.sign(parts[0]+"."+parts[1])) {
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
	return claims.Gen == h.generation && h.now().Before(time.Unix(claims.Exp, 0))
}

// authorize checks the apiKey header, and the bearer token unless this is
// the login. It answers 401 itself and reports false when they fail.
func (h *Handler) authorize(w http.ResponseWriter, r *http.Request, needToken bool) bool {
	if r.Header.Get("apiKey") != string(APIKey) {
		h.answer(w, http.StatusUnauthorized, envelope{message: "Invalid api key"})
		return false
	}
	if !needToken {
		return true
	}
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	h.mu.Lock()
	ok = ok && h.validToken(tok)
	h.mu.Unlock()
	if !ok {
		h.answer(w, http.StatusUnauthorized, envelope{message: "Unauthorized", descriptive: "invalid or expired token"})
	}
	return ok
}

func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	if !h.authorize(w, r, false) {
		return
	}
	var body struct {
		Username string `json:"username"`
		PassID   string `json:"passId"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Username == "" || body.PassID == "" {
		h.answer(w, http.StatusBadRequest, envelope{message: "username and passId are required"})
		return
	}
	h.mu.Lock()
	want, known := h.users[body.Username]
	if !known || !hmac.Equal([]byte(want), []byte(body.PassID)) {
		h.mu.Unlock()
		h.answer(w, http.StatusUnauthorized, envelope{message: "Invalid credentials"})
		return
	}
	h.logins++
	tok := h.issue(body.Username)
	path := h.tokenPath
	h.mu.Unlock()

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
	h.answer(w, http.StatusCreated, env)
}

// validID is the fake's notion of a well-formed account ID; the platform
// answers 400 "Invalid account id" for others.
var validID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

func (h *Handler) freezeUnfreeze(w http.ResponseWriter, r *http.Request) {
	if !h.authorize(w, r, true) {
		return
	}
	action := r.URL.Query().Get("action")
	if action != "FREEZE" && action != "UNFREEZE" {
		h.answer(w, http.StatusBadRequest, envelope{message: "Invalid action", descriptive: `action must be "FREEZE" or "UNFREEZE"`})
		return
	}
	var body struct {
		AccountID *string `json:"accountId"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.AccountID == nil || !validID.MatchString(*body.AccountID) {
		h.answer(w, http.StatusBadRequest, envelope{message: "Invalid account id"})
		return
	}
	h.mu.Lock()
	a, ok := h.accounts[*body.AccountID]
	if ok {
		// Freezing a frozen account (or unfreezing an active one)
		// succeeds: the state asked for is the state it is in.
		a.Frozen = action == "FREEZE"
	}
	h.mu.Unlock()
	if !ok {
		h.answer(w, http.StatusNotFound, envelope{message: "Account id not found"})
		return
	}
	msg := "Account freeze successful"
	if action == "UNFREEZE" {
		msg = "Account unfreeze successful"
	}
	h.answer(w, http.StatusOK, envelope{status: true, message: msg})
}

func (h *Handler) getAccount(w http.ResponseWriter, r *http.Request) {
	if !h.authorize(w, r, true) {
		return
	}
	id := r.PathValue("accountUuid")
	if !validID.MatchString(id) {
		h.answer(w, http.StatusBadRequest, envelope{message: "Invalid account id"})
		return
	}
	h.mu.Lock()
	a, ok := h.accounts[id]
	var data map[string]any
	if ok {
		status := "ACTIVE"
		if a.Frozen {
			status = "FROZEN"
		}
		// The platform documents no account fields; these are the fake's
		// own, shaped as a Mongo-backed service would send them.
		data = map[string]any{"_id": objectID(id), "uuid": a.UUID, "accountNumber": "90" + objectID(id)[:8], "status": status, "currency": "NGN"}
	}
	h.mu.Unlock()
	if !ok {
		h.answer(w, http.StatusNotFound, envelope{message: "Account id not found"})
		return
	}
	h.answer(w, http.StatusOK, envelope{status: true, message: "Account retrieved successfully", data: data})
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

func (h *Handler) answer(w http.ResponseWriter, httpStatus int, e envelope) {
	h.mu.Lock()
	asXML, ct := h.xml, h.contentType
	h.mu.Unlock()

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
// key (sorted, so answers are stable), <errors><error>… for the errors
// array, and escaped text for everything else.
func writeXML(b *strings.Builder, name string, v any) {
	switch v := v.(type) {
	case map[string]any:
		b.WriteString("<" + name + ">")
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		// The envelope's fields first, in the documented order.
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
