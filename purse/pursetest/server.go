// Package pursetest is a fake Calypso Pay Customer Purse API, for tests
// and examples. It checks the Key header, the HMAC-SHA512 Sign over the
// exact body, the account and the three-minute timestamp window against
// its own clock, keeps customers, purses, addresses and transactions, and
// answers every one of the ten endpoints with Calypso's documented objects
// and errorCode bodies. Faults can be injected through the embedded
// restricttest.Faults.
//
//	creds := purse.Credentials{Account: "0xabc", Key: "k", Secret: "s"}
//	srv := pursetest.NewServer(creds)
//	defer srv.Close()
//	cust := srv.AddCustomer(purse.Customer{ExternalID: "user-1"})
//	c, _ := purse.New(creds, restrict.WithBaseURL(srv.BaseURL()))
//	_, _ = c.Restrict(ctx, restrict.Target{ID: cust.ID})
//	got, _ := srv.Customer(cust.ID) // got.Blocked is true
//	srv.Inject(restricttest.Fault{Status: 503, Times: 2})
//
// Its signature check is written here from Calypso's documentation, not
// borrowed from the client, so a bug in the client's signer fails tests.
package pursetest

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/purse"
	"github.com/restrictkit/restrict/restricttest"
)

// Window is how far a request's timestamp may be from the fake's clock,
// either way, as Calypso documents.
const Window = 3 * time.Minute

// apiPath is where the Customer Purse endpoints are served.
const apiPath = "/api/v1/customer-purse/"

// Server is a stateful fake of the Customer Purse API on a loopback
// address. Faults, BaseURL, Handler, Close and SetClock come from the
// embedded restricttest.Server; the clock dates the Date header and judges
// request timestamps. It is safe for concurrent use.
type Server struct {
	restricttest.Server

	account, key, secret string

	mu           sync.Mutex
	customers    map[string]*purse.Customer
	purses       map[string]*purse.Purse
	addresses    map[string]*purse.Address // by purse ID
	transactions map[string]*purse.Transaction
	purseOrder   []string // purse IDs in the order added, for stable listings
	txOrder      []string // transaction IDs likewise
}

// NewServer starts a fake that accepts exactly creds, with no customers
// and the real clock. Close it when done.
func NewServer(creds purse.Credentials) *Server {
	s := &Server{
		account:      creds.Account,
		key:          string(creds.Key),
		secret:       string(creds.Secret),
		customers:    map[string]*purse.Customer{},
		purses:       map[string]*purse.Purse{},
		addresses:    map[string]*purse.Address{},
		transactions: map[string]*purse.Transaction{},
	}
	routes := map[string]func(json.RawMessage) (any, *apiError){
		"customer/create":       s.createCustomer,
		"customer/update":       s.updateCustomer,
		"customer/get":          s.getCustomer,
		"customer/external/get": s.getCustomerByExternal,
		"customer/block":        func(p json.RawMessage) (any, *apiError) { return s.setBlocked(p, true) },
		"customer/unblock":      func(p json.RawMessage) (any, *apiError) { return s.setBlocked(p, false) },
		"purse/get-all":         s.getPurses,
		"address/get":           s.getAddress,
		"transaction/get":       s.getTransaction,
		"transaction/find":      s.findTransactions,
	}
	s.Serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", s.Now().UTC().Format(http.TimeFormat))
		name, under := strings.CutPrefix(r.URL.Path, apiPath)
		fn, ok := routes[name]
		switch {
		case !under || !ok:
			s.springError(w, r, http.StatusNotFound, "Not Found")
		case r.Method != http.MethodPost:
			w.Header().Set("Allow", http.MethodPost)
			s.springError(w, r, http.StatusMethodNotAllowed, "Method Not Allowed")
		default:
			s.serve(w, r, fn)
		}
	}), "")
	return s
}

// AddCustomer stores c, giving it an ID when it has none, and returns what
// was stored.
func (s *Server) AddCustomer(c purse.Customer) purse.Customer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return *s.add(c)
}

// Customer returns the stored customer with this ID.
func (s *Server) Customer(id string) (purse.Customer, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.customers[id]
	if !ok {
		return purse.Customer{}, false
	}
	return *c, true
}

// AddPurse stores p, giving it an ID when it has none, and returns what was
// stored. Its CustomerID should name a stored customer, and its Balance be
// a decimal number ("" is sent as 0).
func (s *Server) AddPurse(p purse.Purse) purse.Purse {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.ID == "" {
		p.ID = newID()
	}
	if _, ok := s.purses[p.ID]; !ok {
		s.purseOrder = append(s.purseOrder, p.ID)
	}
	s.purses[p.ID] = &p
	return p
}

// AddAddress stores the deposit address of the purse a.PurseID.
func (s *Server) AddAddress(a purse.Address) purse.Address {
	s.mu.Lock()
	defer s.mu.Unlock()
	a.Meta = restrict.Meta{}
	s.addresses[a.PurseID] = &a
	return a
}

// AddTransaction stores t, giving it an ID when it has none, and returns
// what was stored. Its Amount should be a decimal number ("" is sent as
// 0). transaction/find lists transactions in the order added unless asked
// to sort by createdDate.
func (s *Server) AddTransaction(t purse.Transaction) purse.Transaction {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t.ID == "" {
		t.ID = newID()
	}
	t.Meta = restrict.Meta{}
	if _, ok := s.transactions[t.ID]; !ok {
		s.txOrder = append(s.txOrder, t.ID)
	}
	s.transactions[t.ID] = &t
	return t
}

// add stores a customer; s.mu must be held.
func (s *Server) add(c purse.Customer) *purse.Customer {
	if c.ID == "" {
		c.ID = newID()
	}
	c.Meta = restrict.Meta{}
	s.customers[c.ID] = &c
	return &c
}

// byExternal finds a customer by externalId; s.mu must be held.
func (s *Server) byExternal(externalID string) *purse.Customer {
	for _, c := range s.customers {
		if c.ExternalID == externalID {
			return c
		}
	}
	return nil
}

// springError answers as Spring Boot does for a path or method it has no
// controller for, before Calypso's own code runs: no errorCode.
func (s *Server) springError(w http.ResponseWriter, r *http.Request, status int, reason string) {
	writeJSON(w, status, map[string]any{
		"timestamp": s.Now().UTC().Format("2006-01-02T15:04:05.000+00:00"),
		"status":    status,
		"error":     reason,
		"path":      r.URL.Path,
	})
}

// apiError is PublicGatewayErrorResponse with the HTTP status it is sent
// with: 500 for 000, 400 for the others, as the docs describe.
type apiError struct {
	status  int
	Code    string `json:"errorCode"`
	Message string `json:"message"`
}

func fail(code, message string) *apiError {
	status := http.StatusBadRequest
	if code == "000" {
		status = http.StatusInternalServerError
	}
	return &apiError{status: status, Code: code, Message: message}
}

func errBadRequest(message string) *apiError { return fail("001", message) }

func errNotFound(message string) *apiError { return fail("004", message) }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// serve checks headers, signature, account and timestamp, then runs fn on
// the payload.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, fn func(json.RawMessage) (any, *apiError)) {
	payload, e := s.authenticate(r)
	if e == nil {
		var out any
		out, e = fn(payload)
		if e == nil {
			writeJSON(w, http.StatusOK, out)
			return
		}
	}
	writeJSON(w, e.status, e)
}

func (s *Server) authenticate(r *http.Request) (json.RawMessage, *apiError) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return nil, errBadRequest("unreadable body")
	}
	if r.Header.Get("Key") != s.key || s.key == "" {
		return nil, fail("002", "Invalid api key")
	}
	// Sign = lowercase hex of HMAC-SHA512(secret, exact body): written
	// from the docs, independently of the client.
	mac := hmac.New(sha512.New, []byte(s.secret))
	mac.Write(body)
	want := hex.EncodeToString(mac.Sum(nil))
	if !hmac.Equal([]byte(r.Header.Get("Sign")), []byte(want)) {
		return nil, fail("003", "Wrong sign")
	}
	var env struct {
		Account   *string         `json:"account"`
		Timestamp *int64          `json:"timestamp"`
		Payload   json.RawMessage `json:"payload"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, errBadRequest("malformed JSON")
	}
	if env.Account == nil || env.Timestamp == nil || len(env.Payload) == 0 || string(env.Payload) == "null" {
		return nil, errBadRequest("account, timestamp and payload are required")
	}
	if *env.Account != s.account {
		return nil, fail("002", "Invalid api key")
	}
	ts := time.UnixMilli(*env.Timestamp)
	if d := ts.Sub(s.Now()); d > Window || d < -Window {
		return nil, fail("011", "Invalid timestamp")
	}
	return env.Payload, nil
}

func decodePayload(p json.RawMessage, v any) *apiError {
	dec := json.NewDecoder(strings.NewReader(string(p)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errBadRequest("invalid payload: " + err.Error())
	}
	return nil
}

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// customerJSON is the customer object as Calypso sends it.
type customerJSON struct {
	ID          string `json:"id"`
	Email       string `json:"email"`
	Description string `json:"description"`
	ExternalID  string `json:"externalId"`
	Blocked     bool   `json:"blocked"`
}

func toJSON(c *purse.Customer) customerJSON {
	return customerJSON{ID: c.ID, Email: c.Email, Description: c.Description, ExternalID: c.ExternalID, Blocked: c.Blocked}
}

func (s *Server) createCustomer(p json.RawMessage) (any, *apiError) {
	var in struct {
		Email       string `json:"email"`
		Description string `json:"description"`
		ExternalID  string `json:"externalId"`
	}
	if e := decodePayload(p, &in); e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if in.ExternalID != "" && s.byExternal(in.ExternalID) != nil {
		return nil, fail("016", "Customer with this externalId already exists")
	}
	c := s.add(purse.Customer{Email: in.Email, Description: in.Description, ExternalID: in.ExternalID})
	return toJSON(c), nil
}

func (s *Server) updateCustomer(p json.RawMessage) (any, *apiError) {
	var in struct {
		ID          string  `json:"id"`
		Email       *string `json:"email"`
		Description *string `json:"description"`
	}
	if e := decodePayload(p, &in); e != nil {
		return nil, e
	}
	if in.ID == "" {
		return nil, errBadRequest("id is required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.customers[in.ID]
	if !ok {
		return nil, errNotFound("Customer not found")
	}
	if in.Email != nil {
		c.Email = *in.Email
	}
	if in.Description != nil {
		c.Description = *in.Description
	}
	return toJSON(c), nil
}

// customerFrom finds the customer a {"customerId"} payload names; s.mu
// must be held.
func (s *Server) customerFrom(p json.RawMessage) (*purse.Customer, *apiError) {
	var in struct {
		CustomerID string `json:"customerId"`
	}
	if e := decodePayload(p, &in); e != nil {
		return nil, e
	}
	if in.CustomerID == "" {
		return nil, errBadRequest("customerId is required")
	}
	c, ok := s.customers[in.CustomerID]
	if !ok {
		return nil, errNotFound("Customer not found")
	}
	return c, nil
}

func (s *Server) getCustomer(p json.RawMessage) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, e := s.customerFrom(p)
	if e != nil {
		return nil, e
	}
	return toJSON(c), nil
}

func (s *Server) getCustomerByExternal(p json.RawMessage) (any, *apiError) {
	var in struct {
		ExternalID string `json:"externalId"`
	}
	if e := decodePayload(p, &in); e != nil {
		return nil, e
	}
	if in.ExternalID == "" {
		return nil, errBadRequest("externalId is required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.byExternal(in.ExternalID)
	if c == nil {
		return nil, errNotFound("Customer not found")
	}
	return toJSON(c), nil
}

// setBlocked blocks or unblocks a customer and answers with it. A customer
// already in that state is answered unchanged, as the client infers
// Calypso does (the docs are silent on a repeat).
func (s *Server) setBlocked(p json.RawMessage, blocked bool) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, e := s.customerFrom(p)
	if e != nil {
		return nil, e
	}
	c.Blocked = blocked
	return toJSON(c), nil
}

func (s *Server) getPurses(p json.RawMessage) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, e := s.customerFrom(p)
	if e != nil {
		return nil, e
	}
	type purseJSON struct {
		ID         string      `json:"id"`
		CustomerID string      `json:"customerId"`
		Currency   string      `json:"currency"`
		Balance    json.Number `json:"balance"`
	}
	out := []purseJSON{}
	for _, id := range s.purseOrder {
		ps := s.purses[id]
		if ps.CustomerID == c.ID {
			out = append(out, purseJSON{ID: ps.ID, CustomerID: ps.CustomerID, Currency: ps.Currency, Balance: ps.Balance})
		}
	}
	return out, nil
}

func (s *Server) getAddress(p json.RawMessage) (any, *apiError) {
	var in struct {
		PurseID string `json:"purseId"`
	}
	if e := decodePayload(p, &in); e != nil {
		return nil, e
	}
	if in.PurseID == "" {
		return nil, errBadRequest("purseId is required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.addresses[in.PurseID]
	if !ok {
		return nil, errNotFound("Address not found")
	}
	return struct {
		Address    string `json:"address"`
		Currency   string `json:"currency"`
		PurseID    string `json:"purseId"`
		CustomerID string `json:"customerId"`
	}{a.Address, a.Currency, a.PurseID, a.CustomerID}, nil
}

// transactionJSON is PGTransactionDTO, with the customer and purse IDs the
// client reads.
type transactionJSON struct {
	ID                            string      `json:"id"`
	Amount                        json.Number `json:"amount"`
	AddressFrom                   string      `json:"addressFrom"`
	Currency                      string      `json:"currency"`
	TransactionHash               string      `json:"transactionHash,omitempty"`
	TransactionState              string      `json:"transactionState"`
	ComplianceState               string      `json:"complianceState"`
	TranslationToAccountCompleted bool        `json:"translationToAccountCompleted"`
	CreatedDate                   string      `json:"createdDate"`
	CustomerID                    string      `json:"customerId"`
	PurseID                       string      `json:"purseId"`
}

func txJSON(t *purse.Transaction) transactionJSON {
	return transactionJSON{ID: t.ID, Amount: t.Amount, AddressFrom: t.AddressFrom, Currency: t.Currency, TransactionHash: t.TransactionHash,
		TransactionState: t.TransactionState, ComplianceState: t.ComplianceState,
		TranslationToAccountCompleted: t.TranslationToAccountCompleted, CreatedDate: t.CreatedDate,
		CustomerID: t.CustomerID, PurseID: t.PurseID}
}

func (s *Server) getTransaction(p json.RawMessage) (any, *apiError) {
	var in struct {
		TransactionID string `json:"transactionId"`
	}
	if e := decodePayload(p, &in); e != nil {
		return nil, e
	}
	if in.TransactionID == "" {
		return nil, errBadRequest("transactionId is required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.transactions[in.TransactionID]
	if !ok {
		return nil, errNotFound("Transaction not found")
	}
	return txJSON(t), nil
}

// filter is the documented filter object.
type filter struct {
	Equals         *string  `json:"equals"`
	NotEquals      *string  `json:"notEquals"`
	In             []string `json:"in"`
	NotIn          []string `json:"notIn"`
	Specified      *bool    `json:"specified"`
	Contains       *string  `json:"contains"`
	DoesNotContain *string  `json:"doesNotContain"`
}

func (f *filter) match(v string) bool {
	if f == nil {
		return true
	}
	has := func(list []string) bool {
		for _, s := range list {
			if s == v {
				return true
			}
		}
		return false
	}
	switch {
	case f.Equals != nil && v != *f.Equals,
		f.NotEquals != nil && v == *f.NotEquals,
		f.In != nil && !has(f.In),
		f.NotIn != nil && has(f.NotIn),
		f.Specified != nil && (v != "") != *f.Specified,
		f.Contains != nil && !strings.Contains(v, *f.Contains),
		f.DoesNotContain != nil && strings.Contains(v, *f.DoesNotContain):
		return false
	}
	return true
}

func (s *Server) findTransactions(p json.RawMessage) (any, *apiError) {
	var in struct {
		CustomerID             string  `json:"customerId"`
		CurrencyFilter         *filter `json:"currencyFilter"`
		TransactionStateFilter *filter `json:"transactionStateFilter"`
		PageNumber             *int    `json:"pageNumber"`
		PageSize               *int    `json:"pageSize"`
		Sort                   string  `json:"sort"`
		Properties             string  `json:"properties"`
	}
	if e := decodePayload(p, &in); e != nil {
		return nil, e
	}
	if in.PageNumber == nil || in.PageSize == nil || *in.PageNumber < 0 || *in.PageSize < 1 {
		return nil, errBadRequest("pageNumber and pageSize are required")
	}
	if in.Sort != "" && in.Sort != "ASC" && in.Sort != "DESC" {
		return nil, errBadRequest("sort must be ASC or DESC")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var all []*purse.Transaction
	for _, id := range s.txOrder {
		t := s.transactions[id]
		if (in.CustomerID == "" || t.CustomerID == in.CustomerID) && in.CurrencyFilter.match(t.Currency) && in.TransactionStateFilter.match(t.TransactionState) {
			all = append(all, t)
		}
	}
	if in.Properties == "createdDate" {
		sort.SliceStable(all, func(i, j int) bool { return all[i].CreatedDate < all[j].CreatedDate })
	}
	if in.Sort == "DESC" {
		for i, j := 0, len(all)-1; i < j; i, j = i+1, j-1 {
			all[i], all[j] = all[j], all[i]
		}
	}
	page, size := *in.PageNumber, *in.PageSize
	out := struct {
		Page          int               `json:"page"`
		Size          int               `json:"size"`
		Total         int               `json:"total"`
		TotalElements int               `json:"totalElements"`
		Result        []transactionJSON `json:"result"`
	}{Page: page, Size: size, Total: (len(all) + size - 1) / size, TotalElements: len(all), Result: []transactionJSON{}}
	for i := page * size; i < len(all) && i < (page+1)*size; i++ {
		out.Result = append(out.Result, txJSON(all[i]))
	}
	return out, nil
}
