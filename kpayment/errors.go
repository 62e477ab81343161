package kpayment

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/transport"
)

// codeClasses is the documented code table of the Payments API page: code,
// name and the class of failure it means. Codes outside it are classified
// by HTTP status.
var codeClasses = []struct {
	code  string
	name  string
	class error
}{
	{"100001", "NULL_CREDENTIALS", restrict.ErrUnauthorized},
	{"100002", "ACCESS_FORBIDDEN", restrict.ErrForbidden},
	{"100003", "WRONG_CREDENTIAL", restrict.ErrUnauthorized},
	{"100004", "REQUEST_NOT_AUTHORIZED", restrict.ErrUnauthorized},
	{"100005", "INTERNAL_SERVER_EXCEPTION", restrict.ErrUnavailable},
	{"100006", "INVALID_REQUEST_DATA", restrict.ErrInvalidRequest},
	{"100007", "INTERNAL_SERVER_ERROR", restrict.ErrUnavailable},
	{"100008", "ACCESS_FORBIDDEN_INVALID_PARTNER", restrict.ErrForbidden},
	{"100009", "ACCESS_FORBIDDEN_INVALID_PARTNER", restrict.ErrForbidden},
	{"100010", "INVALID_DEALER_TOKEN", restrict.ErrUnauthorized},
	{"100011", "INVALID_SCOPE_DEALER", restrict.ErrForbidden},
	{"100013", "INVALID_DEPARTMENT_TOKEN", restrict.ErrUnauthorized},
	{"100014", "INVALID_SCOPE_DEPARTMENT", restrict.ErrForbidden},
}

// classFor finds a code in the table by number or by name (the
// string-coded envelope has been seen carrying either), and returns its
// name and class; a nil class when the code is not in the table, which
// apiError then leaves to the HTTP status.
func classFor(c string) (name string, class error) {
	for _, e := range codeClasses {
		if c == e.code || strings.EqualFold(c, e.name) {
			return e.name, e.class
		}
	}
	return "", nil
}

// envelope is every Payments API answer. A success is {} with, at most,
// warnings; an error comes in one of two documented shapes, with warnings
// beside it:
//
//	{"errors":[{"errorCode":100006,"errorTitle":"…","errorMessage":"…","errorDescription":"…"}],"warnings":[…]}
//	{"error":{"errorCode":"INVALID_REQUEST_DATA","errorDescription":"…"},"warnings":[…]}
//
// The first is the block-customer page's; the second is that of other
// Payments endpoints (getPaymentUrl), and is read too in case this one
// answers in it.
type envelope struct {
	Errors   []providerError `json:"errors"`
	Error    *providerError  `json:"error"`
	Warnings []Warning       `json:"warnings"`
}

// providerError is one error of either shape. Title and Message only
// appear in the numeric-code shape.
type providerError struct {
	Code        code   `json:"errorCode"`
	Title       string `json:"errorTitle"`
	Message     string `json:"errorMessage"`
	Description string `json:"errorDescription"`
}

// code is a myKaarma error or warning code: a JSON number in one shape, a
// string (a number or a name) in the other. It keeps the code as sent.
type code string

// UnmarshalJSON accepts a string, a number or null.
func (c *code) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		*c = code(strings.TrimSpace(s))
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return errors.New("code is neither a number nor a string")
	}
	*c = code(n)
	return nil
}

// warned is a result that carries the provider's warnings.
type warned interface{ setWarnings([]Warning) }

// decode is the Decoder for every Payments API answer. It reads the body,
// never the Content-Type: myKaarma declares its errors as */*.
//
// The body is decoded once into the envelope. An answer that is not a JSON
// object of that shape is no myKaarma answer: for an error status it is a
// proxy's page or a web server's own 404 (Spring's
// {"timestamp","status":404,"error":"Not Found","path"}, whose "error" is a
// string, among them), classed by its status; for a success it is
// unreadable. An answer that carries errors is an error whatever its
// status.
//
// Warnings are the provider's text, which may echo what it was sent: they
// are scrubbed of every secret before they reach the result. Warnings that
// come with an error are not returned: an APIError has no place for them,
// and the error is what the caller must see.
func decode(res *transport.Response, out any) error {
	var env *envelope
	err := json.Unmarshal(res.Body, &env)
	if err == nil && env == nil {
		err = errors.New("null instead of a JSON object")
	}
	if err != nil {
		if !transport.IsSuccess(res.StatusCode) {
			return res.StatusError()
		}
		return err
	}
	if errs := env.list(); len(errs) > 0 {
		return apiError(res.StatusCode, errs)
	}
	if !transport.IsSuccess(res.StatusCode) {
		return res.StatusError()
	}
	for i := range env.Warnings {
		w := &env.Warnings[i]
		w.Code, w.Title, w.Message, w.Description = res.Scrub(w.Code), res.Scrub(w.Title), res.Scrub(w.Message), res.Scrub(w.Description)
	}
	if r, ok := out.(warned); ok {
		r.setWarnings(env.Warnings)
	}
	return nil
}

// list returns the provider errors of either shape. An entry with nothing
// in it says nothing; the status speaks then.
func (e *envelope) list() []providerError {
	var errs []providerError
	for _, pe := range e.Errors {
		if pe != (providerError{}) {
			errs = append(errs, pe)
		}
	}
	if e.Error != nil && *e.Error != (providerError{}) {
		errs = append(errs, *e.Error)
	}
	return errs
}

// apiError turns the provider's errors into one APIError. The first error
// whose code is in the table decides the class (the status decides when
// none is); its code is kept as the provider sent it; the message lists
// every error, each as its name, title, message and description.
func apiError(status int, errs []providerError) *restrict.APIError {
	ae := &restrict.APIError{Code: string(errs[0].Code)}
	msgs := make([]string, 0, len(errs))
	for _, pe := range errs {
		name, class := classFor(string(pe.Code))
		if name == "" && !isNumber(string(pe.Code)) {
			// A string code outside the table is itself a name.
			name = string(pe.Code)
		}
		if class != nil && ae.Class == nil {
			ae.Class, ae.Code = class, string(pe.Code)
		}
		msgs = append(msgs, joinDistinct(name, pe.Title, pe.Message, pe.Description))
	}
	if ae.Class == nil {
		ae.Class = transport.ClassForStatus(status)
		if status == http.StatusNotFound {
			// myKaarma's own envelope with a 404: it found the endpoint
			// and not the customer.
			ae.Class = restrict.ErrNotFound
		}
	}
	ae.Message = strings.Join(msgs, "; ")
	return ae
}

func isNumber(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// joinDistinct joins the non-empty parts with ": ", skipping repeats: the
// title often is the name, and the description often repeats the message.
func joinDistinct(parts ...string) string {
	seen := make([]string, 0, len(parts))
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		dup := false
		for _, s := range seen {
			if strings.EqualFold(s, p) {
				dup = true
				break
			}
		}
		if !dup {
			seen = append(seen, p)
		}
	}
	return strings.Join(seen, ": ")
}
