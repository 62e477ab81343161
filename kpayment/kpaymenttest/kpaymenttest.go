// Package kpaymenttest is a fake myKaarma Payments API for tests: it checks
// HTTP Basic or Bearer credentials as myKaarma does, keeps who is blocked,
// answers with myKaarma's envelopes and error bodies (in either of its two
// error shapes), and can be told to fail through the embedded
// restricttest.Faults.
//
// Use:
//
//	srv := kpaymenttest.NewServer(kpayment.Credentials{Username: "sub", Password: "pw"})
//	defer srv.Close()
//	c, _ := kpayment.New(kpayment.Credentials{Username: "sub", Password: "pw"},
//		restrict.WithBaseURL(srv.BaseURL()))
//	_, err := c.BlockCustomer(ctx, "c-1", kpayment.BlockCustomerRequest{OnlinePayment: kpayment.Bool(true)})
//	b, ok := srv.LastBlock("c-1") // what the fake received
//	srv.Inject(restricttest.Fault{Status: 503, Times: 2})
//
// The fake reads requests with its own few lines written from myKaarma's
// documents, never with the client's code, so that it disagrees with a
// client bug instead of repeating it. It is strict where myKaarma's
// behaviour is unknown: an unknown JSON member or a wrongly typed one is
// refused with INVALID_REQUEST_DATA, which catches a misspelled tag.
package kpaymenttest

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"

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

// Warning is a warning the fake adds to successful answers.
type Warning struct {
	Code        int
	Title       string // defaults to the code's name
	Message     string
	Description string
}

// Handler is the fake as an http.Handler, to mount anywhere; it serves
// under BasePath. It is safe for concurrent use.
type Handler struct {
	restricttest.Faults

	username, password, token string
	next                      http.Handler

	mu       sync.Mutex
	blocks   map[string]Block
	count    int
	shape    ErrorShape
	warnings []Warning
	rejects  []reject
}

type reject struct{ status, code int }

// NewHandler returns a fake that accepts creds: HTTP Basic when Username
// and Password are set, Bearer when Token is set (both may be).
func NewHandler(creds kpayment.Credentials) *Handler {
	h := &Handler{
		username: creds.Username,
		password: string(creds.Password),
		token:    string(creds.Token),
		blocks:   make(map[string]Block),
	}
	mux := http.NewServeMux()
	mux.HandleFunc(BasePath+"/kpayment/v1/customer/{customerUuid}/block", h.block)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { springError(w, r, http.StatusNotFound) })
	h.next = h.Faults.Wrap(mux)
	return h
}

// ServeHTTP serves one request, after any injected fault.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.next.ServeHTTP(w, r) }

// SetErrorShape makes every later error answer use shape.
func (h *Handler) SetErrorShape(shape ErrorShape) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.shape = shape
}

// SetWarnings makes every later successful block answer carry warnings
// (none when called without any).
func (h *Handler) SetWarnings(warnings ...Warning) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.warnings = append([]Warning(nil), warnings...)
}

// Reject makes the next authenticated block call fail with status and a
// myKaarma error code (CodeAccessForbidden, say), in the current shape.
// Calls queue up, one rejection per block call.
func (h *Handler) Reject(status, code int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.rejects = append(h.rejects, reject{status, code})
}

// SetBlock records customerUUID as blocked with b, as if it had been
// blocked before the test.
func (h *Handler) SetBlock(customerUUID string, b Block) {
	h.mu.Lock()
	defer h.mu.Unlock()
	b.CustomerUUID = customerUUID
	h.blocks[customerUUID] = b
}

// LastBlock returns the last block request accepted for customerUUID.
func (h *Handler) LastBlock(customerUUID string) (Block, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	b, ok := h.blocks[customerUUID]
	return b, ok
}

// Blocked reports whether customerUUID has been blocked.
func (h *Handler) Blocked(customerUUID string) bool {
	_, ok := h.LastBlock(customerUUID)
	return ok
}

// BlockCalls counts the block requests accepted, repeats included.
func (h *Handler) BlockCalls() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.count
}

func (h *Handler) block(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		springError(w, r, http.StatusMethodNotAllowed)
		return
	}
	if status, code, ok := h.authenticate(r); !ok {
		desc := "the credentials were not accepted"
		if code == CodeNullCredentials {
			desc = "no credentials were sent"
		}
		h.fail(w, status, code, desc)
		return
	}
	h.mu.Lock()
	var rej *reject
	if len(h.rejects) > 0 {
		rej = &h.rejects[0]
		h.rejects = h.rejects[1:]
	}
	h.mu.Unlock()
	if rej != nil {
		h.fail(w, rej.status, rej.code, "rejected as the test asked")
		return
	}
	b, problem := readBlock(r)
	if problem != "" {
		h.fail(w, http.StatusBadRequest, CodeInvalidRequestData, problem)
		return
	}
	b.CustomerUUID = r.PathValue("customerUuid")
	h.mu.Lock()
	h.blocks[b.CustomerUUID] = b
	h.count++
	warnings := h.warnings
	h.mu.Unlock()

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
func (h *Handler) authenticate(r *http.Request) (status, code int, ok bool) {
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return http.StatusUnauthorized, CodeNullCredentials, false
	}
	scheme, value, _ := strings.Cut(auth, " ")
	switch {
	case strings.EqualFold(scheme, "Basic") && h.username != "":
		user, pass, okBasic := r.BasicAuth()
		if okBasic && equal(user, h.username) && equal(pass, h.password) {
			return 0, 0, true
		}
	case strings.EqualFold(scheme, "Bearer") && h.token != "":
		if equal(value, h.token) {
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
func (h *Handler) fail(w http.ResponseWriter, status, code int, description string) {
	h.mu.Lock()
	shape := h.shape
	h.mu.Unlock()
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
func springError(w http.ResponseWriter, r *http.Request, status int) {
	writeJSON(w, status, "application/json", map[string]any{
		"timestamp": time.Now().UTC().Format("2006-01-02T15:04:05.000+00:00"),
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

// Server is the fake on a loopback httptest server. Faults and the state
// helpers are those of its Handler.
type Server struct {
	*httptest.Server
	*Handler
}

// NewServer starts a fake that accepts creds; see NewHandler. Close it
// when done.
func NewServer(creds kpayment.Credentials) *Server {
	h := NewHandler(creds)
	return &Server{Server: httptest.NewServer(h), Handler: h}
}

// BaseURL is the URL to give the client with restrict.WithBaseURL: the
// server's URL and BasePath.
func (s *Server) BaseURL() string { return s.URL + BasePath }
