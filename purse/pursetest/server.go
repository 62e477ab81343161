// Package pursetest is a fake Calypso Pay Customer Purse API, for tests
// and examples. It checks the Key header, the HMAC-SHA512 Sign over the
// exact body, the account and the three-minute timestamp window against
// its own clock, keeps customers, purses, addresses and transactions, and
// answers every one of the ten endpoints with Calypso's documented objects
// and errorCode bodies. Faults can be injected through the embedded
// restricttest.Faults.
//
//	srv := pursetest.NewServer(pursetest.Credentials{Account: "0xabc", Key: "k", Secret: "s"})
//	defer srv.Close()
//	cust := srv.AddCustomer(purse.Customer{ExternalID: "user-1"})
//	c, _ := purse.New(purse.Credentials{Account: "0xabc", Key: "k", Secret: "s"},
//		restrict.WithBaseURL(srv.URL))
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
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/restrictkit/restrict/purse"
	"github.com/restrictkit/restrict/restricttest"
)

// Window is how far a request's timestamp may be from the fake's clock,
// either way, as Calypso documents.
const Window = 3 * time.Minute

// Credentials are the ones the fake accepts.
type Credentials struct {
	Account string
	Key     string
	Secret  string
}

// Server is a Handler served over loopback by httptest, with faults.
type Server struct {
	*httptest.Server
	restricttest.Faults
	*Handler
}

// NewServer starts a fake that accepts creds. Close it when done.
func NewServer(creds Credentials) *Server {
	s := &Server{Handler: NewHandler(creds)}
	s.Server = httptest.NewServer(s.Faults.Wrap(s.Handler))
	return s
}

// Close shuts the server down.
func (s *Server) Close() { s.Server.Close() }

// Handler is the fake API as an http.Handler, to mount elsewhere. It is
// safe for concurrent use.
type Handler struct {
	creds Credentials
	mux   *http.ServeMux

	mu           sync.Mutex
	now          func() time.Time
	customers    map[string]*purse.Customer
	purses       map[string]*purse.Purse
	addresses    map[string]*purse.Address // by purse ID
	transactions map[string]*purse.Transaction
	purseOrder   []string // purse IDs in the order added, for stable listings
	txOrder      []string // transaction IDs likewise
}

// NewHandler returns a fake that accepts creds, with an empty state and the
// real clock.
func NewHandler(creds Credentials) *Handler {
	h := &Handler{
		creds:        creds,
		mux:          http.NewServeMux(),
		now:          time.Now,
		customers:    map[string]*purse.Customer{},
		purses:       map[string]*purse.Purse{},
		addresses:    map[string]*purse.Address{},
		transactions: map[string]*purse.Transaction{},
	}
	routes := map[string]func(json.RawMessage) (any, *apiError){
		"customer/create":       h.createCustomer,
		"customer/update":       h.updateCustomer,
		"customer/get":          h.getCustomer,
		"customer/external/get": h.getCustomerByExternal,
		"customer/block":        func(p json.RawMessage) (any, *apiError) { return h.setBlocked(p, true) },
		"customer/unblock":      func(p json.RawMessage) (any, *apiError) { return h.setBlocked(p, false) },
		"purse/get-all":         h.getPurses,
		"address/get":           h.getAddress,
		"transaction/get":       h.getTransaction,
		"transaction/find":      h.findTransactions,
	}
	for path, fn := range routes {
		h.mux.Handle("/api/v1/customer-purse/"+path, h.endpoint(fn))
	}
	return h
}

// SetClock replaces the fake's clock, which dates its Date header and
// judges request timestamps.
func (h *Handler) SetClock(now func() time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.now = now
}

func (h *Handler) clock() time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.now()
}

// ServeHTTP answers one call.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Date", h.clock().UTC().Format(http.TimeFormat))
	h.mux.ServeHTTP(w, r)
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

// endpoint checks method, headers, signature, account and timestamp, then
// runs fn on the payload.
func (h *Handler) endpoint(fn func(json.RawMessage) (any, *apiError)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		payload, e := h.authenticate(r)
		if e == nil {
			var out any
			out, e = fn(payload)
			if e == nil {
				writeJSON(w, http.StatusOK, out)
				return
			}
		}
		writeJSON(w, e.status, e)
	})
}

func (h *Handler) authenticate(r *http.Request) (json.RawMessage, *apiError) {
	if r.Method != http.MethodPost {
		return nil, errBadRequest("method must be POST")
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return nil, errBadRequest("unreadable body")
	}
	if r.Header.Get("Key") != h.creds.Key || h.creds.Key == "" {
		return nil, fail("002", "Invalid api key")
	}
	// Sign = lowercase hex of HMAC-SHA512(secret, exact body): written
	// from the docs, independently of the client.
	mac := hmac.New(sha512.New, []byte(h.creds.Secret))
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
	if *env.Account != h.creds.Account {
		return nil, fail("002", "Invalid api key")
	}
	ts := time.UnixMilli(*env.Timestamp)
	if d := ts.Sub(h.clock()); d > Window || d < -Window {
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

func (h *Handler) createCustomer(p json.RawMessage) (any, *apiError) {
	var in struct {
		Email       string `json:"email"`
		Description string `json:"description"`
		ExternalID  string `json:"externalId"`
	}
	if e := decodePayload(p, &in); e != nil {
		return nil, e
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if in.ExternalID != "" && h.byExternal(in.ExternalID) != nil {
		return nil, fail("016", "Customer with this externalId already exists")
	}
	c := h.add(purse.Customer{Email: in.Email, Description: in.Description, ExternalID: in.ExternalID})
	return toJSON(c), nil
}

func (h *Handler) updateCustomer(p json.RawMessage) (any, *apiError) {
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
	h.mu.Lock()
	defer h.mu.Unlock()
	c, ok := h.customers[in.ID]
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

type customerIDIn struct {
	CustomerID string `json:"customerId"`
}

func (h *Handler) customerFrom(p json.RawMessage) (*purse.Customer, *apiError) {
	var in customerIDIn
	if e := decodePayload(p, &in); e != nil {
		return nil, e
	}
	if in.CustomerID == "" {
		return nil, errBadRequest("customerId is required")
	}
	c, ok := h.customers[in.CustomerID]
	if !ok {
		return nil, errNotFound("Customer not found")
	}
	return c, nil
}

func (h *Handler) getCustomer(p json.RawMessage) (any, *apiError) {
	h.mu.Lock()
	defer h.mu.Unlock()
	c, e := h.customerFrom(p)
	if e != nil {
		return nil, e
	}
	return toJSON(c), nil
}

func (h *Handler) getCustomerByExternal(p json.RawMessage) (any, *apiError) {
	var in struct {
		ExternalID string `json:"externalId"`
	}
	if e := decodePayload(p, &in); e != nil {
		return nil, e
	}
	if in.ExternalID == "" {
		return nil, errBadRequest("externalId is required")
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	c := h.byExternal(in.ExternalID)
	if c == nil {
		return nil, errNotFound("Customer not found")
	}
	return toJSON(c), nil
}

func (h *Handler) setBlocked(p json.RawMessage, blocked bool) (any, *apiError) {
	h.mu.Lock()
	defer h.mu.Unlock()
	c, e := h.customerFrom(p)
	if e != nil {
		return nil, e
	}
	c.Blocked = blocked
	return toJSON(c), nil
}

type purseJSON struct {
	ID         string `json:"id"`
	CustomerID string `json:"customerId"`
	Currency   string `json:"currency"`
	Balance    string `json:"balance"`
}

func (h *Handler) getPurses(p json.RawMessage) (any, *apiError) {
	h.mu.Lock()
	defer h.mu.Unlock()
	c, e := h.customerFrom(p)
	if e != nil {
		return nil, e
	}
	out := []purseJSON{}
	for _, id := range h.purseOrder {
		ps := h.purses[id]
		if ps.CustomerID == c.ID {
			out = append(out, purseJSON{ID: ps.ID, CustomerID: ps.CustomerID, Currency: ps.Currency, Balance: string(ps.Balance)})
		}
	}
	return out, nil
}

func (h *Handler) getAddress(p json.RawMessage) (any, *apiError) {
	var in struct {
		PurseID string `json:"purseId"`
	}
	if e := decodePayload(p, &in); e != nil {
		return nil, e
	}
	if in.PurseID == "" {
		return nil, errBadRequest("purseId is required")
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	a, ok := h.addresses[in.PurseID]
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

type transactionJSON struct {
	ID                            string `json:"id"`
	CustomerID                    string `json:"customerId"`
	PurseID                       string `json:"purseId"`
	Currency                      string `json:"currency"`
	Amount                        string `json:"amount"`
	TransactionState              string `json:"transactionState"`
	ComplianceState               string `json:"complianceState"`
	TranslationToAccountCompleted bool   `json:"translationToAccountCompleted"`
	CreatedDate                   string `json:"createdDate"`
}

func txJSON(t *purse.Transaction) transactionJSON {
	return transactionJSON{ID: t.ID, CustomerID: t.CustomerID, PurseID: t.PurseID, Currency: t.Currency, Amount: string(t.Amount),
		TransactionState: t.TransactionState, ComplianceState: t.ComplianceState,
		TranslationToAccountCompleted: t.TranslationToAccountCompleted, CreatedDate: t.CreatedDate}
}

func (h *Handler) getTransaction(p json.RawMessage) (any, *apiError) {
	var in struct {
		TransactionID string `json:"transactionId"`
	}
	if e := decodePayload(p, &in); e != nil {
		return nil, e
	}
	if in.TransactionID == "" {
		return nil, errBadRequest("transactionId is required")
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	t, ok := h.transactions[in.TransactionID]
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

func (h *Handler) findTransactions(p json.RawMessage) (any, *apiError) {
	var in struct {
		CustomerID             string   `json:"customerId"`
		CurrencyFilter         *filter  `json:"currencyFilter"`
		TransactionStateFilter *filter  `json:"transactionStateFilter"`
		PageNumber             *int     `json:"pageNumber"`
		PageSize               *int     `json:"pageSize"`
		Sort                   string   `json:"sort"`
		Properties             []string `json:"properties"`
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
	h.mu.Lock()
	defer h.mu.Unlock()
	var all []*purse.Transaction
	for _, id := range h.txOrder {
		t := h.transactions[id]
		if (in.CustomerID == "" || t.CustomerID == in.CustomerID) && in.CurrencyFilter.match(t.Currency) && in.TransactionStateFilter.match(t.TransactionState) {
			all = append(all, t)
		}
	}
	if len(in.Properties) > 0 && in.Properties[0] == "createdDate" {
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

// BaseURL is the URL to give the client with restrict.WithBaseURL. Every
// provider fake has it, whether or not it serves under a path.
func (s *Server) BaseURL() string { return s.URL }
