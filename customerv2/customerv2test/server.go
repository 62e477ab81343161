// Package customerv2test is a fake KunaCore customer API v2 for tests: it
// accepts exactly the credentials it is given (an API key, or a merchant
// user's login, for which it issues expiring JWTs), keeps customers with
// their status, and answers with KunaCore's envelopes and NestJS error
// bodies. Faults can be injected through the embedded restricttest.Faults.
//
//	srv := customerv2test.NewServer(customerv2.Credentials{APIKey: customerv2test.APIKey})
//	defer srv.Close()
//	id := srv.AddCustomer(customerv2.Customer{Email: "a@example.com"}).ID
//	c, _ := customerv2.New(customerv2.Credentials{APIKey: customerv2test.APIKey},
//		restrict.WithBaseURL(srv.BaseURL()))
//	_, _ = c.Suspend(ctx, customerv2.SuspendRequest{ID: id})
//	srv.Customer(id) // Status "Suspended"
//
// Details serve each customer's status from the fake's state. A second
// suspension answers {"data":{"success":true}} again: what KunaCore answers
// then is not documented, and this is the inferred answer. A suspended
// customer cannot be updated (409). An unknown route is answered as NestJS
// does: 404 {"statusCode":404,"message":"Cannot POST /x","error":"Not
// Found"}.
//
// It checks credentials and wire shapes with its own code written from
// KunaCore's docs, never the client's.
package customerv2test

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/restrictkit/restrict/customerv2"
	"github.com/restrictkit/restrict/restricttest"
)

// Example credentials for tests and examples. They are plain values: a
// fake accepts whatever credentials NewServer is given, these or others.
const (
	APIKey     = "example-api-key-0123456789"
	MerchantID = "example-merchant"
	Email      = "merchant@example.com"
	Password   = "example-password-0123456789"
)

// DefaultTokenLifetime is how long a JWT the fake issues stays valid,
// until SetTokenLifetime changes it.
const DefaultTokenLifetime = time.Hour

// Server is a fake KunaCore on loopback. Faults, BaseURL, Handler, Close
// and SetClock come from the embedded restricttest.Server; the clock dates
// the tokens it issues and the customers it creates. It is safe for
// concurrent use.
type Server struct {
	restricttest.Server

	secret []byte // signs the fake's JWTs

	mu        sync.Mutex
	creds     customerv2.Credentials
	lifetime  time.Duration
	customers map[string]*record
	order     []string // ids in creation order
	logins    int
	nextJTI   int
	minJTI    int // tokens with a lower jti are revoked
}

// record is a customer as the fake stores and sends it. Its JSON names are
// written from KunaCore's docs, independently of the client's.
type record struct {
	ID                     string  `json:"id"`
	Email                  string  `json:"email"`
	FirstName              string  `json:"firstName"`
	LastName               string  `json:"lastName"`
	Country                string  `json:"country"`
	PhoneNumber            *string `json:"phoneNumber"`
	Comment                *string `json:"comment"`
	ExternalID             *string `json:"externalId"`
	ReferralID             *string `json:"referralId"`
	VerificationDocumentID string  `json:"verificationDocumentId"`
	ResidenceAddress       string  `json:"residenceAddress"`
	ITN                    *string `json:"itn"`
	WalletID               string  `json:"walletId"`
	Status                 string  `json:"status"`
	CreatedAt              string  `json:"createdAt"`
	created                time.Time
}

// NewServer starts a fake on loopback that accepts exactly creds: when
// creds has an APIKey, the api-key header with that key and nothing else;
// otherwise a login with its MerchantID, Email and Password, and the
// bearer JWTs that login issues. Close it when done.
func NewServer(creds customerv2.Credentials) *Server {
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	s := &Server{secret: secret, creds: creds, lifetime: DefaultTokenLifetime, customers: make(map[string]*record)}
	mux := http.NewServeMux()
	mux.HandleFunc("/v2/auth/login", s.post(s.login, false))
	mux.HandleFunc("/v2/customer/suspend", s.post(s.suspend, true))
	mux.HandleFunc("/v2/customer/find", s.post(s.find, true))
	mux.HandleFunc("/v2/customer/details", s.post(s.details, true))
	mux.HandleFunc("/v2/customer/create", s.post(s.create, true))
	mux.HandleFunc("/v2/customer/update", s.post(s.update, true))
	mux.HandleFunc("/", notFoundRoute)
	s.Serve(mux, "")
	return s
}

// SetTokenLifetime changes the lifetime of tokens issued from now on.
func (s *Server) SetTokenLifetime(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lifetime = d
}

// RevokeTokens makes every token issued so far answer 401, as a server
// restart or a key rotation would.
func (s *Server) RevokeTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.minJTI = s.nextJTI
}

// Logins counts the login requests the fake handled (not those answered by
// an injected fault), refused ones included.
func (s *Server) Logins() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logins
}

// IssueToken returns a JWT as a login would, without counting a login.
// Only a fake in login mode accepts it: in API-key mode no bearer token is.
func (s *Server) IssueToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issueLocked()
}

// AddCustomer seeds a customer. Empty ID, WalletID, Status and CreatedAt
// are filled in (new IDs, Active, the fake's now); it returns the stored
// customer.
func (s *Server) AddCustomer(c customerv2.Customer) customerv2.Customer {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.Now()
	rec := &record{
		ID: c.ID, Email: c.Email, FirstName: c.FirstName, LastName: c.LastName, Country: c.Country,
		PhoneNumber: opt(c.PhoneNumber), Comment: opt(c.Comment), ExternalID: opt(c.ExternalID),
		ReferralID: opt(c.ReferralID), VerificationDocumentID: c.VerificationDocumentID,
		ResidenceAddress: c.ResidenceAddress, ITN: opt(c.ITN), WalletID: c.WalletID, Status: string(c.Status),
	}
	if rec.ID == "" {
		rec.ID = newUUID()
	}
	if rec.WalletID == "" {
		rec.WalletID = newUUID()
	}
	if rec.Status == "" {
		rec.Status = "Active"
	}
	created := c.CreatedAt
	if created.IsZero() {
		created = now
	}
	rec.setCreated(created)
	s.storeLocked(rec)
	return rec.public()
}

// Customer returns the stored customer with that ID.
func (s *Server) Customer(id string) (customerv2.Customer, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.customers[id]
	if !ok {
		return customerv2.Customer{}, false
	}
	return rec.public(), true
}

// Customers returns every stored customer in creation order.
func (s *Server) Customers() []customerv2.Customer {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]customerv2.Customer, 0, len(s.order))
	for _, id := range s.order {
		out = append(out, s.customers[id].public())
	}
	return out
}

func (s *Server) storeLocked(rec *record) {
	if _, ok := s.customers[rec.ID]; !ok {
		s.order = append(s.order, rec.ID)
	}
	s.customers[rec.ID] = rec
}

func opt(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func val(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func (r *record) setCreated(t time.Time) {
	r.created = t.UTC()
	r.CreatedAt = r.created.Format("2006-01-02T15:04:05.000Z")
}

func (r *record) public() customerv2.Customer {
	return customerv2.Customer{
		ID: r.ID, Email: r.Email, FirstName: r.FirstName, LastName: r.LastName, Country: r.Country,
		PhoneNumber: val(r.PhoneNumber), Comment: val(r.Comment), ExternalID: val(r.ExternalID),
		ReferralID: val(r.ReferralID), VerificationDocumentID: r.VerificationDocumentID,
		ResidenceAddress: r.ResidenceAddress, ITN: val(r.ITN), WalletID: r.WalletID,
		Status: customerv2.Status(r.Status), CreatedAt: r.created,
	}
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

type nestError struct {
	StatusCode int    `json:"statusCode"`
	Message    any    `json:"message"`
	Error      string `json:"error,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func writeData(w http.ResponseWriter, status int, data any) {
	writeJSON(w, status, map[string]any{"data": data})
}

// fail answers as NestJS does: message is one string or, from validation,
// a list.
func fail(w http.ResponseWriter, status int, message any) {
	writeJSON(w, status, nestError{StatusCode: status, Message: message, Error: http.StatusText(status)})
}

// unauthorized is NestJS's default 401 body, which has no "error".
func unauthorized(w http.ResponseWriter) {
	writeJSON(w, http.StatusUnauthorized, nestError{StatusCode: http.StatusUnauthorized, Message: "Unauthorized"})
}

func notFoundRoute(w http.ResponseWriter, r *http.Request) {
	fail(w, http.StatusNotFound, fmt.Sprintf("Cannot %s %s", r.Method, r.URL.Path))
}

// post wraps a route: POST only, JSON body, and for private routes the
// api-key header or a valid bearer JWT.
func (s *Server) post(h func(w http.ResponseWriter, r *http.Request, body []byte), private bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			notFoundRoute(w, r)
			return
		}
		if private && !s.authorized(r) {
			unauthorized(w)
			return
		}
		var buf bytes.Buffer
		if _, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, 1<<20)); err != nil {
			fail(w, http.StatusBadRequest, "request body unreadable")
			return
		}
		h(w, r, buf.Bytes())
	}
}

// decodeStrict reads a JSON body into v and answers 400 as NestJS's
// ValidationPipe with forbidNonWhitelisted would on unknown properties or
// malformed JSON.
func decodeStrict(w http.ResponseWriter, body []byte, v any) bool {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			fail(w, http.StatusBadRequest, []string{"property " + strings.Trim(name, `"`) + " should not exist"})
			return false
		}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			fail(w, http.StatusBadRequest, []string{te.Field + " must be a " + te.Type.String()})
			return false
		}
		fail(w, http.StatusBadRequest, "Unexpected token in JSON")
		return false
	}
	return true
}

func (s *Server) authorized(r *http.Request) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.creds.APIKey != "" {
		// API-key mode: the key, and nothing else, is accepted.
		key := r.Header.Get("api-key")
		return key != "" && subtle.ConstantTimeCompare([]byte(key), []byte(s.creds.APIKey)) == 1
	}
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && s.validLocked(tok)
}

// issueLocked makes an HS256 JWT with sub, iat, exp and a jti that lets
// RevokeTokens tell old tokens from new.
func (s *Server) issueLocked() string {
	now := s.Now()
	s.nextJTI++
	header := b64(`{"alg":"HS256","typ":"JWT"}`)
	payload := b64(fmt.Sprintf(`{"sub":%q,"jti":"%d","iat":%d,"exp":%d}`,
		s.creds.MerchantID, s.nextJTI, now.Unix(), now.Add(s.lifetime).Unix()))
	return header + "." + payload + "." + s.mac(header+"."+payload)
}

func (s *Server) validLocked(tok string) bool {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 || !hmac.Equal([]byte(parts[2]), []byte(s.mac(parts[0]+"."+parts[1]))) {
		return false
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return false
	}
	var claims struct {
		JTI string `json:"jti"`
		Exp int64  `json:"exp"`
	}
	if json.Unmarshal(raw, &claims) != nil {
		return false
	}
	jti, err := strconv.Atoi(claims.JTI)
	if err != nil || jti <= s.minJTI {
		return false
	}
	return s.Now().Unix() < claims.Exp
}

func (s *Server) mac(signing string) string {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte(signing))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func (s *Server) login(w http.ResponseWriter, r *http.Request, body []byte) {
	s.mu.Lock()
	s.logins++
	s.mu.Unlock()
	var req struct {
		Email    *string `json:"email"`
		Password *string `json:"password"`
	}
	if !decodeStrict(w, body, &req) {
		return
	}
	var problems []string
	if req.Email == nil || *req.Email == "" {
		problems = append(problems, "email should not be empty")
	}
	if req.Password == nil || *req.Password == "" {
		problems = append(problems, "password should not be empty")
	}
	if problems != nil {
		fail(w, http.StatusBadRequest, problems)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// In API-key mode there is no login to match: every login is refused.
	ok := s.creds.APIKey == "" && s.creds.MerchantID != ""
	ok = subtle.ConstantTimeCompare([]byte(r.Header.Get("merchant_id")), []byte(s.creds.MerchantID)) == 1 && ok
	ok = subtle.ConstantTimeCompare([]byte(*req.Email), []byte(s.creds.Email)) == 1 && ok
	ok = subtle.ConstantTimeCompare([]byte(*req.Password), []byte(s.creds.Password)) == 1 && ok
	if !ok {
		fail(w, http.StatusUnauthorized, "Invalid credentials")
		return
	}
	writeData(w, http.StatusCreated, map[string]string{"accessToken": s.issueLocked()})
}

type idBody struct {
	ID string `json:"id"`
}

func (s *Server) byID(w http.ResponseWriter, body []byte) (*record, bool) {
	var req idBody
	if !decodeStrict(w, body, &req) {
		return nil, false
	}
	if req.ID == "" {
		fail(w, http.StatusBadRequest, []string{"id should not be empty"})
		return nil, false
	}
	rec, ok := s.customers[req.ID]
	if !ok {
		fail(w, http.StatusNotFound, "Customer not found")
		return nil, false
	}
	return rec, true
}

func (s *Server) suspend(w http.ResponseWriter, _ *http.Request, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.byID(w, body)
	if !ok {
		return
	}
	rec.Status = "Suspended"
	writeData(w, http.StatusOK, map[string]bool{"success": true})
}

func (s *Server) details(w http.ResponseWriter, _ *http.Request, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.byID(w, body)
	if !ok {
		return
	}
	writeData(w, http.StatusOK, rec)
}

func (s *Server) find(w http.ResponseWriter, _ *http.Request, body []byte) {
	var req struct {
		Email       string `json:"email"`
		WalletID    string `json:"walletId"`
		PhoneNumber string `json:"phoneNumber"`
		FullName    string `json:"fullName"`
		Comment     string `json:"comment"`
		ExternalID  string `json:"externalId"`
		ReferralID  string `json:"referralId"`
		CreatedFrom string `json:"createdFrom"`
		CreatedTo   string `json:"createdTo"`
		Take        *int   `json:"take"`
		Skip        *int   `json:"skip"`
	}
	if !decodeStrict(w, body, &req) {
		return
	}
	var problems []string
	var from, to time.Time
	for _, f := range []struct {
		name, value string
		into        *time.Time
	}{{"createdFrom", req.CreatedFrom, &from}, {"createdTo", req.CreatedTo, &to}} {
		if f.value == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, f.value)
		if err != nil {
			problems = append(problems, f.name+" must be a valid ISO 8601 date string")
		}
		*f.into = t
	}
	if req.Take != nil && *req.Take < 0 {
		problems = append(problems, "take must not be less than 0")
	}
	if req.Skip != nil && *req.Skip < 0 {
		problems = append(problems, "skip must not be less than 0")
	}
	if problems != nil {
		fail(w, http.StatusBadRequest, problems)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	matches := make([]*record, 0)
	for _, id := range s.order {
		rec := s.customers[id]
		switch {
		case req.Email != "" && !strings.EqualFold(req.Email, rec.Email),
			req.WalletID != "" && req.WalletID != rec.WalletID,
			req.PhoneNumber != "" && req.PhoneNumber != val(rec.PhoneNumber),
			req.FullName != "" && !strings.EqualFold(req.FullName, rec.FirstName+" "+rec.LastName),
			req.Comment != "" && req.Comment != val(rec.Comment),
			req.ExternalID != "" && req.ExternalID != val(rec.ExternalID),
			req.ReferralID != "" && req.ReferralID != val(rec.ReferralID),
			!from.IsZero() && rec.created.Before(from),
			!to.IsZero() && rec.created.After(to):
			continue
		}
		matches = append(matches, rec)
	}
	sort.SliceStable(matches, func(i, j int) bool { return matches[i].created.Before(matches[j].created) })
	if req.Skip != nil {
		matches = matches[min(*req.Skip, len(matches)):]
	}
	if req.Take != nil && *req.Take > 0 {
		matches = matches[:min(*req.Take, len(matches))]
	}
	writeData(w, http.StatusOK, matches)
}

type customerBody struct {
	ID                     *string `json:"id"`
	Email                  *string `json:"email"`
	FirstName              *string `json:"firstName"`
	LastName               *string `json:"lastName"`
	Country                *string `json:"country"`
	PhoneNumber            *string `json:"phoneNumber"`
	Comment                *string `json:"comment"`
	ExternalID             *string `json:"externalId"`
	ReferralID             *string `json:"referralId"`
	VerificationDocumentID *string `json:"verificationDocumentId"`
	ResidenceAddress       *string `json:"residenceAddress"`
	ITN                    *string `json:"itn"`
}

// validate checks a create (all required) or update (only what is sent)
// body the way class-validator words it.
func (b *customerBody) validate(create bool) []string {
	var problems []string
	for _, f := range []struct {
		name  string
		value *string
	}{
		{"email", b.Email}, {"firstName", b.FirstName}, {"lastName", b.LastName}, {"country", b.Country},
		{"verificationDocumentId", b.VerificationDocumentID}, {"residenceAddress", b.ResidenceAddress},
	} {
		if f.value == nil && !create {
			continue
		}
		if f.value == nil || strings.TrimSpace(*f.value) == "" {
			problems = append(problems, f.name+" should not be empty")
		}
	}
	if b.Email != nil && *b.Email != "" && !strings.Contains(*b.Email, "@") {
		problems = append(problems, "email must be an email")
	}
	if b.Country != nil && *b.Country != "" && !isAlpha2(*b.Country) {
		problems = append(problems, "country must be a valid ISO31661 Alpha2 code")
	}
	return problems
}

// isAlpha2 checks the shape only: two upper-case ASCII letters.
func isAlpha2(s string) bool {
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}

func (s *Server) emailTakenLocked(email, except string) bool {
	for _, rec := range s.customers {
		if rec.ID != except && strings.EqualFold(rec.Email, email) {
			return true
		}
	}
	return false
}

func (s *Server) create(w http.ResponseWriter, _ *http.Request, body []byte) {
	var req customerBody
	if !decodeStrict(w, body, &req) {
		return
	}
	if req.ID != nil {
		fail(w, http.StatusBadRequest, []string{"property id should not exist"})
		return
	}
	if problems := req.validate(true); problems != nil {
		fail(w, http.StatusBadRequest, problems)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.emailTakenLocked(*req.Email, "") {
		fail(w, http.StatusConflict, "Customer with this email already exists")
		return
	}
	rec := &record{
		ID: newUUID(), WalletID: newUUID(), Status: "Active",
		Email: *req.Email, FirstName: *req.FirstName, LastName: *req.LastName, Country: *req.Country,
		VerificationDocumentID: *req.VerificationDocumentID, ResidenceAddress: *req.ResidenceAddress,
		PhoneNumber: req.PhoneNumber, Comment: req.Comment, ExternalID: req.ExternalID,
		ReferralID: req.ReferralID, ITN: req.ITN,
	}
	rec.setCreated(s.Now())
	s.storeLocked(rec)
	writeData(w, http.StatusCreated, rec)
}

func (s *Server) update(w http.ResponseWriter, _ *http.Request, body []byte) {
	var req customerBody
	if !decodeStrict(w, body, &req) {
		return
	}
	if req.ReferralID != nil {
		// The update data dictionary has no referralId.
		fail(w, http.StatusBadRequest, []string{"property referralId should not exist"})
		return
	}
	problems := req.validate(false)
	if req.ID == nil || *req.ID == "" {
		problems = append([]string{"id should not be empty"}, problems...)
	}
	if problems != nil {
		fail(w, http.StatusBadRequest, problems)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.customers[*req.ID]
	if !ok {
		fail(w, http.StatusNotFound, "Customer not found")
		return
	}
	if rec.Status == "Suspended" {
		// "No further financial or non-financial actions are possible."
		fail(w, http.StatusConflict, "Customer is suspended")
		return
	}
	if req.Email != nil && s.emailTakenLocked(*req.Email, rec.ID) {
		fail(w, http.StatusConflict, "Customer with this email already exists")
		return
	}
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&rec.Email, req.Email)
	set(&rec.FirstName, req.FirstName)
	set(&rec.LastName, req.LastName)
	set(&rec.Country, req.Country)
	set(&rec.VerificationDocumentID, req.VerificationDocumentID)
	set(&rec.ResidenceAddress, req.ResidenceAddress)
	for _, f := range []struct{ dst, src **string }{
		{&rec.PhoneNumber, &req.PhoneNumber}, {&rec.Comment, &req.Comment},
		{&rec.ExternalID, &req.ExternalID}, {&rec.ITN, &req.ITN},
	} {
		if *f.src != nil {
			*f.dst = *f.src
		}
	}
	writeData(w, http.StatusCreated, rec)
}
