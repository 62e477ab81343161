// Package kpaymenttest is a fake myKaarma Payments API for tests: it checks
// HTTP Basic or Bearer credentials as myKaarma does, keeps which customers
// are blocked, answers with myKaarma's envelopes and error bodies (in either
// of its two error shapes), answers an unknown route as a Spring Boot
// application does, and can be told to fail through the embedded
// restricttest.Faults.
//
//	creds := kpayment.Credentials{Username: "sub", Password: "pw"}
//	srv := kpaymenttest.NewServer(creds)
//	defer srv.Close()
//	cust := srv.AddCustomer(kpaymenttest.Customer{}) // a new UUID, not blocked
//	c, _ := kpayment.New(creds, restrict.WithBaseURL(srv.BaseURL()))
//	_, err := c.Restrict(ctx, restrict.Target{ID: cust.UUID})
//	srv.Blocked(cust.UUID)            // true
//	b, ok := srv.LastBlock(cust.UUID) // the body the fake received
//	srv.Inject(restricttest.Fault{Status: 503, Times: 2})
//
// myKaarma has no call that reads a customer's block, so the client has no
// Status to serve; the fake's state is read with Customer and Blocked.
//
// The fake reads requests with its own few lines written from myKaarma's
// documents, never with the client's code, so that it disagrees with a
// client bug instead of repeating it. It is strict where myKaarma's
// behaviour is unknown: an unknown JSON member or a wrongly typed one is
// refused with INVALID_REQUEST_DATA, which catches a misspelled tag. Where
// myKaarma documents nothing it is lenient: a block of a UUID it does not
// know is accepted (myKaarma documents no not-found answer for it), and a
// repeated block is answered as the first.
package kpaymenttest

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/restrictkit/restrict/kpayment"
	"github.com/restrictkit/restrict/restricttest"
)

// BasePath is the Payments API base path; the fake serves every endpoint
// under it, as myKaarma does.
const BasePath = "/payment"

// The error codes the fake answers with, from myKaarma's code table.
const (
	CodeNullCredentials    = 100001
	CodeAccessForbidden    = 100002
	CodeWrongCredential    = 100003
	CodeInternalException  = 100005
	CodeInvalidRequestData = 100006
	CodeInvalidScopeDealer = 100011
	CodeNoPreferredDealer  = 150000 // a warning
)

var codeNames = map[int]string{
	100001: "NULL_CREDENTIALS",
	100002: "ACCESS_FORBIDDEN",
	100003: "WRONG_CREDENTIAL",
	100004: "REQUEST_NOT_AUTHORIZED",
	100005: "INTERNAL_SERVER_EXCEPTION",
	100006: "INVALID_REQUEST_DATA",
	100007: "INTERNAL_SERVER_ERROR",
	100008: "ACCESS_FORBIDDEN_INVALID_PARTNER",
	100009: "ACCESS_FORBIDDEN_INVALID_PARTNER",
	100010: "INVALID_DEALER_TOKEN",
	100011: "INVALID_SCOPE_DEALER",
	100013: "INVALID_DEPARTMENT_TOKEN",
	100014: "INVALID_SCOPE_DEPARTMENT",
	150000: "NO_PREFERRED_DEALER_ID",
}

// ErrorShape is which of myKaarma's two error envelopes the fake answers
// with.
type ErrorShape int

const (
	// ShapeErrors is the block-customer endpoint's documented envelope:
	// {"errors":[{"errorCode":<int>,"errorTitle","errorMessage","errorDescription"}],"warnings":[]}.
	ShapeErrors ErrorShape = iota
	// ShapeErrorName is the other endpoints' envelope with the code's name:
	// {"error":{"errorCode":"WRONG_CREDENTIAL","errorDescription"},"warnings":[]}.
	ShapeErrorName
	// ShapeErrorNumber is the same envelope with the code's number as a
	// string: {"error":{"errorCode":"100003","errorDescription"},"warnings":[]}.
	ShapeErrorNumber
)

// Block is one block request as the fake received it, its fields named
// after the JSON members of the documented body.
type Block struct {
	CustomerUUID          string
	InvoiceGUID           string
	CCLastFour            string
	CCType                string
	CardHolder            string
	OnlinePayment         *bool // nil when the member was absent
	SendBlockNotification *bool
	ThreeDSAuthentication *bool
}

// Customer is a myKaarma customer as the fake keeps it: whether it is
// blocked. The Payments API has no customer resource of its own (customers
// come from the dealership system), so this is all that blocking needs.
type Customer struct {
	// UUID identifies the customer; AddCustomer makes a random one when
	// it is empty.
	UUID string
	// Blocked reports whether the customer is blocked from online payment.
	Blocked bool
}

// Warning is a warning the fake adds to successful answers.
type Warning struct {
	Code        int
	Title       string // defaults to the code's name
	Message     string
	Description string
}

// Server is a fake myKaarma Payments API on loopback. Faults, BaseURL,
// Handler, Close and SetClock come from the embedded restricttest.Server;
// the clock dates its error pages. It is safe for concurrent use.
type Server struct {
	restricttest.Server

	username, password, token string

	mu        sync.Mutex
	customers map[string]*customer
	count     int
	shape     ErrorShape
	warnings  []Warning
	rejects   []reject
}

// customer is a customer's state and the last block request it received.
type customer struct {
	blocked bool
	last    *Block
}

type reject struct{ status, code int }

// NewServer starts a fake that accepts creds: HTTP Basic when Username and
// Password are set, Bearer when Token is set (both may be). Close it when
// done.
func NewServer(creds kpayment.Credentials) *Server {
	// A "Bearer " prefix on the token is dropped, as the client drops it,
	// so that the fake accepts exactly what a client given creds sends.
	token := strings.TrimSpace(string(creds.Token))
	if len(token) > len("Bearer ") && strings.EqualFold(token[:len("Bearer ")], "Bearer ") {
		token = strings.TrimSpace(token[len("Bearer "):])
	}
	s := &Server{
		username:  creds.Username,
		password:  string(creds.Password),
		token:     token,
		customers: make(map[string]*customer),
	}
	mux := http.NewServeMux()
	mux.HandleFunc(BasePath+"/kpayment/v1/customer/{customerUuid}/block", s.block)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { s.springError(w, r, http.StatusNotFound) })
	s.Serve(mux, BasePath)
	return s
}

// SetErrorShape makes every later error answer use shape.
func (s *Server) SetErrorShape(shape ErrorShape) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.shape = shape
}

// SetWarnings makes every later successful block answer carry warnings
// (none when called without any).
func (s *Server) SetWarnings(warnings ...Warning) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.warnings = append([]Warning(nil), warnings...)
}

// Reject makes the next authenticated block call fail with status and a
// myKaarma error code (CodeAccessForbidden, say), in the current shape.
// Calls queue up, one rejection per block call.
func (s *Server) Reject(status, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rejects = append(s.rejects, reject{status, code})
}

// AddCustomer stores a customer, blocked or not, as if the dealership
// system had created it, and returns it with its UUID filled in. A customer
// stored again under the same UUID replaces the first.
func (s *Server) AddCustomer(c Customer) Customer {
	if c.UUID == "" {
		c.UUID = newUUID()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.customers[c.UUID] = &customer{blocked: c.Blocked}
	return c
}

// Customer returns the customer with that UUID, if the fake knows it: one
// added with AddCustomer, or one a block request named.
func (s *Server) Customer(customerUUID string) (Customer, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cu, ok := s.customers[customerUUID]
	if !ok {
		return Customer{}, false
	}
	return Customer{UUID: customerUUID, Blocked: cu.blocked}, true
}

// Blocked reports whether the customer with that UUID is blocked.
func (s *Server) Blocked(customerUUID string) bool {
	c, _ := s.Customer(customerUUID)
	return c.Blocked
}

// LastBlock returns the last block request accepted for customerUUID.
func (s *Server) LastBlock(customerUUID string) (Block, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cu, ok := s.customers[customerUUID]
	if !ok || cu.last == nil {
		return Block{}, false
	}
	return *cu.last, true
}

// BlockCalls counts the block requests accepted, repeats included.
func (s *Server) BlockCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.count
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func (s *Server) block(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		s.springError(w, r, http.StatusMethodNotAllowed)
		return
	}
	if status, code, ok := s.authenticate(r); !ok {
		desc := "the credentials were not accepted"
		if code == CodeNullCredentials {
			desc = "no credentials were sent"
		}
		s.fail(w, status, code, desc)
		return
	}
	s.mu.Lock()
	var rej *reject
	if len(s.rejects) > 0 {
		rej = &s.rejects[0]
		s.rejects = s.rejects[1:]
	}
	s.mu.Unlock()
	if rej != nil {
		s.fail(w, rej.status, rej.code, "rejected as the test asked")
		return
	}
	b, problem := readBlock(r)
	if problem != "" {
		s.fail(w, http.StatusBadRequest, CodeInvalidRequestData, problem)
		return
	}
	// myKaarma documents no answer for a customer it does not know, and
	// its customers come from the dealership system, which the fake cannot
	// see: a block of any UUID is accepted, and the customer kept. A
	// repeated block is answered as the first: the docs are silent, and
	// we read blocking twice as harmless.
	b.CustomerUUID = r.PathValue("customerUuid")
	s.mu.Lock()
	cu := s.customers[b.CustomerUUID]
	if cu == nil {
		cu = &customer{}
		s.customers[b.CustomerUUID] = cu
	}
	cu.blocked = true
	cu.last = &b
	s.count++
	warnings := s.warnings
	s.mu.Unlock()

	answer := map[string]any{}
	if len(warnings) > 0 {
		list := make([]map[string]any, 0, len(warnings))
		for _, wn := range warnings {
			title := wn.Title
			if title == "" {
				title = codeNames[wn.Code]
			}
			list = append(list, map[string]any{"warningCode": wn.Code, "warningTitle": title,
				"warningMessage": wn.Message, "warningDescription": wn.Description})
		}
		answer["warnings"] = list
	}
	writeJSON(w, http.StatusOK, "application/json", answer)
}

// authenticate checks the Authorization header: Basic against the
// ServiceSubscriber username and password, Bearer against the token.
func (s *Server) authenticate(r *http.Request) (status, code int, ok bool) {
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return http.StatusUnauthorized, CodeNullCredentials, false
	}
	scheme, value, _ := strings.Cut(auth, " ")
	switch {
	case strings.EqualFold(scheme, "Basic") && s.username != "":
		user, pass, okBasic := r.BasicAuth()
		if okBasic && equal(user, s.username) && equal(pass, s.password) {
			return 0, 0, true
		}
	case strings.EqualFold(scheme, "Bearer") && s.token != "":
		if equal(value, s.token) {
			return 0, 0, true
		}
	}
	return http.StatusUnauthorized, CodeWrongCredential, false
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// readBlock reads the documented body: a JSON object with optional string
// and boolean members, nothing else. Member names are matched exactly, as
// Jackson does by default (encoding/json would also take "invoiceGuid").
func readBlock(r *http.Request) (Block, string) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return Block{}, "Content-Type must be application/json"
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return Block{}, "unreadable body"
	}
	var members map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&members); err != nil || members == nil {
		return Block{}, "the request body must be a JSON object"
	}
	if dec.More() {
		return Block{}, "data after the JSON object"
	}
	var b Block
	strs := map[string]*string{"invoiceGUID": &b.InvoiceGUID, "ccLastFour": &b.CCLastFour, "ccType": &b.CCType, "cardHolder": &b.CardHolder}
	bools := map[string]**bool{"onlinePayment": &b.OnlinePayment, "sendBlockNotification": &b.SendBlockNotification, "threeDSAuthentication": &b.ThreeDSAuthentication}
	for name, v := range members {
		var err error
		switch {
		case strs[name] != nil:
			err = json.Unmarshal(v, strs[name])
		case bools[name] != nil:
			err = json.Unmarshal(v, bools[name])
		default:
			return Block{}, "unknown member " + strconv.Quote(name)
		}
		if err != nil {
			return Block{}, name + " has the wrong type"
		}
	}
	if b.CCLastFour != "" && !fourDigits(b.CCLastFour) {
		return Block{}, "ccLastFour must be four digits"
	}
	return b, ""
}

func fourDigits(s string) bool {
	if len(s) != 4 {
		return false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// fail answers with a myKaarma error in the current shape. myKaarma
// declares its error media type as */*, and so does the fake, so that a
// client that trusts the header is caught.
func (s *Server) fail(w http.ResponseWriter, status, code int, description string) {
	s.mu.Lock()
	shape := s.shape
	s.mu.Unlock()
	name := codeNames[code]
	var body any
	switch shape {
	case ShapeErrorName, ShapeErrorNumber:
		c := name
		if shape == ShapeErrorNumber || c == "" {
			c = strconv.Itoa(code)
		}
		body = map[string]any{"error": map[string]any{"errorCode": c, "errorDescription": description}, "warnings": []any{}}
	default:
		body = map[string]any{"errors": []any{map[string]any{
			"errorCode": code, "errorTitle": name, "errorMessage": description, "errorDescription": description,
		}}, "warnings": []any{}}
	}
	writeJSON(w, status, "*/*", body)
}

// springError answers as a Spring Boot application does for a path or
// method it does not serve. That myKaarma runs one is our inference from
// its error envelopes; it shows a client a body in neither shape.
func (s *Server) springError(w http.ResponseWriter, r *http.Request, status int) {
	now := s.Now()
	writeJSON(w, status, "application/json", map[string]any{
		"timestamp": now.UTC().Format("2006-01-02T15:04:05.000+00:00"),
		"status":    status,
		"error":     http.StatusText(status),
		"path":      r.URL.Path,
	})
}

func writeJSON(w http.ResponseWriter, status int, contentType string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("kpaymenttest: %v", err))
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
