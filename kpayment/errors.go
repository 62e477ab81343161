package kpayment

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/transport"
)

// codeTable is the documented code table of the Payments API page: code,
// name and the class of failure it means. Codes outside it are classified
// by HTTP status.
var codeTable = []struct {
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

// lookup finds a code in the table by number or by name: the string-coded
// envelope has been seen carrying either.
func lookup(c string) (name string, class error) {
	for _, e := range codeTable {
		if c == e.code || strings.EqualFold(c, e.name) {
			return e.name, e.class
		}
	}
	return "", nil
}

// providerError is one error of either envelope. Title and Message only
// appear in the numeric-code shape.
type providerError struct {
	Code        code   `json:"errorCode"`
	Title       string `json:"errorTitle"`
	Message     string `json:"errorMessage"`
	Description string `json:"errorDescription"`
}

// envelope holds both documented error shapes:
//
//	{"errors":[{"errorCode":100006,"errorTitle":...,"errorMessage":...,"errorDescription":...}],"warnings":[...]}
//	{"error":{"errorCode":"INVALID_REQUEST_DATA","errorDescription":...},"warnings":[...]}
//
// The members are kept raw and read one by one, so that a body that reuses
// a name with another type (a Spring default error page has "error":
// "Not Found") is not mistaken for either.
type envelope struct {
	Errors json.RawMessage `json:"errors"`
	Error  json.RawMessage `json:"error"`
}

// decode is the Decoder for every Payments API answer. It reads the body,
// never the Content-Type: myKaarma declares its errors as */*. An answer
// that carries errors is an error whatever its status; a success must be a
// JSON object. Warnings that come with an error are not returned: an
// APIError has no place for them and the error is what the caller must see.
func decode(res *transport.Response, out any) error {
	body := bytes.TrimSpace(res.Body)
	var env envelope
	isObject := len(body) > 0 && body[0] == '{' && json.Unmarshal(body, &env) == nil
	if isObject {
		if errs := env.errors(); len(errs) > 0 {
			return apiError(res.StatusCode, errs)
		}
	}
	if !transport.IsSuccess(res.StatusCode) {
		// No myKaarma envelope: a proxy's page, or a web server's 404
		// (Spring's {"timestamp","status":404,"error":"Not Found","path"}
		// for an unknown path among them), which means the address is
		// wrong.
		return res.StatusError()
	}
	if !isObject {
		if len(body) == 0 {
			return errors.New("empty body")
		}
		return errors.New("the answer is not a JSON object")
	}
	if err := transport.Unmarshal(body, out); err != nil {
		return err
	}
	if w, ok := out.(warned); ok {
		w.scrubWarnings(res.Scrub)
	}
	return nil
}

// warned is a result that carries the provider's warnings: text from the
// provider, which may echo what it was sent, so it is scrubbed of every
// secret before it reaches the caller or a log.
type warned interface {
	scrubWarnings(scrub func(string) string)
}

// errors returns the provider errors of either shape; members that are not
// of the documented type are ignored.
func (e envelope) errors() []providerError {
	if len(e.Errors) == 0 && len(e.Error) == 0 {
		// Neither member: nothing to decode, and nothing the general
		// path below would find.
		return nil
	}
	var errs []providerError
	if json.Unmarshal(e.Errors, &errs) != nil {
		errs = nil
	}
	var one providerError
	if len(e.Error) > 0 && e.Error[0] == '{' && json.Unmarshal(e.Error, &one) == nil {
		errs = append(errs, one)
	}
	// An entry with nothing in it says nothing; it is the status that
	// speaks then.
	kept := errs[:0]
	for _, pe := range errs {
		if pe != (providerError{}) {
			kept = append(kept, pe)
		}
	}
	return kept
}

// apiError turns the provider's errors into one APIError. The first error
// whose code is in the table decides the class (the status decides when
// none is); its code is kept as the provider sent it; the message lists
// every error, each as its name, title, message and description.
func apiError(status int, errs []providerError) *restrict.APIError {
	ae := &restrict.APIError{Code: string(errs[0].Code)}
	msgs := make([]string, 0, len(errs))
	for _, pe := range errs {
		name, class := lookup(string(pe.Code))
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
