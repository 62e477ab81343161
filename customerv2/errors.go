package customerv2

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/transport"
)

// codeClasses is the one table from KunaCore's answer to a class of failure.
// KunaCore publishes no error codes. Its reference pages point to a NestJS
// backend [I], whose error bodies carry statusCode (the HTTP status again)
// and error (that status's reason phrase, "Not Found"): neither is a code
// of KunaCore's own, so APIError.Code stays empty and the status decides.
// A status not listed falls back to transport.ClassForStatus.
var codeClasses = map[int]error{
	http.StatusBadRequest:   restrict.ErrInvalidRequest,
	http.StatusUnauthorized: restrict.ErrUnauthorized,
	http.StatusForbidden:    restrict.ErrForbidden,
	http.StatusNotFound:     restrict.ErrNotFound,
	http.StatusConflict:     restrict.ErrConflict,
}

// classFor applies the table to an HTTP status.
func classFor(status int) error {
	if c, ok := codeClasses[status]; ok {
		return c
	}
	return transport.ClassForStatus(status)
}

// errRefused classes a 2xx answer that does not say "success": true where
// it should. KunaCore documents no such answer, so nothing says why; the
// request was understood and authenticated, and the documented reasons a
// partner is refused (a customer suspended, a status Kuna set) are all
// about the customer's state, which is what ErrConflict means.
var errRefused = restrict.ErrConflict

// envelope is every KunaCore answer. Success is {"data": ...} [C]; a
// top-level "success": false is a refusal, and a NestJS error body is an
// error even when it comes with HTTP 200 [I].
type envelope struct {
	Data    data  `json:"data"`
	Success *bool `json:"success"`
	nestError
}

// nestError is a NestJS error body [I]:
//
//	{"statusCode":400,"message":["email must be an email"],"error":"Bad Request"}
type nestError struct {
	StatusCode int     `json:"statusCode"`
	Message    message `json:"message"`
	Error      string  `json:"error"`
}

// data decodes an answer's "data" into the call's result, where it is, and
// records that there was one.
type data struct {
	out  any
	seen bool
}

// UnmarshalJSON decodes "data" into the result; null counts as none.
func (d *data) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	d.seen = true
	if d.out == nil {
		return nil
	}
	return json.Unmarshal(b, d.out)
}

// message is NestJS's "message": one string, or from class-validator a list
// with one entry per broken rule.
type message struct {
	texts []string
	list  bool
}

// UnmarshalJSON reads a string or a list of them. Any other value is kept
// as its JSON text, as is a list entry that is not a string, so that an
// odd message still explains the error (the transport scrubs and bounds
// it); null is no message.
func (m *message) UnmarshalJSON(b []byte) error {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	switch v := v.(type) {
	case nil:
	case string:
		m.texts = []string{v}
	case []any:
		m.list = true
		for _, item := range v {
			if s := text(item); s != "" {
				m.texts = append(m.texts, s)
			}
		}
	default:
		m.texts = []string{string(b)}
	}
	return nil
}

// text is a decoded JSON value as a message: a string as it is, null as
// nothing, anything else as JSON.
func text(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func (m message) String() string { return strings.Join(m.texts, "; ") }

// decode is the Decoder for every KunaCore call. It decodes each answer
// once: a failure status into a NestJS error body, a success status into
// the envelope, whose "data" goes straight into the call's result.
func decode(res *transport.Response, out any) error {
	if !transport.IsSuccess(res.StatusCode) {
		var body nestError
		if json.Unmarshal(res.Body, &body) != nil || body.StatusCode == 0 && body.Error == "" && len(body.Message.texts) == 0 {
			// Not KunaCore's: a proxy's page, kept short, classed by status.
			return res.StatusError()
		}
		return body.apiError(res.StatusCode)
	}
	env := envelope{Data: data{out: out}}
	if err := json.Unmarshal(res.Body, &env); err != nil {
		return err
	}
	switch {
	case env.StatusCode >= 400:
		// A NestJS error with HTTP 200: its own statusCode classes it, so
		// an in-band 401 renews the token as a real one does.
		return env.apiError(env.StatusCode)
	case env.Success != nil && !*env.Success:
		return refused(env.Message)
	case !env.Data.seen:
		return errors.New(`the answer has no "data"`)
	}
	if c, ok := out.(confirmation); ok && !c.confirmed() {
		return refused(env.Message)
	}
	return nil
}

// confirmation is a result whose data must say "success": true: a
// suspension's, documented as {"data":{"success":true}}.
type confirmation interface{ confirmed() bool }

// apiError reads a NestJS error body answered with status.
func (b *nestError) apiError(status int) error {
	if status == http.StatusNotFound && (b.StatusCode == 0 || routeNotFound(b.Message.texts)) {
		// KunaCore's NestJS errors always carry statusCode. A 404 without
		// it is another server's (Spring's default, a proxy's), and
		// NestJS's own "Cannot POST /v2/customer/detail" is its answer to
		// a route it does not have: either way the address is wrong, not
		// the customer.
		ae := &restrict.APIError{Class: restrict.ErrInvalidRequest, Message: transport.WrongAddress}
		if msg := b.Message.String(); msg != "" {
			ae.Message += " (the answer: " + msg + ")"
		}
		return ae
	}
	ae := &restrict.APIError{Class: classFor(status), Message: b.Message.String()}
	if ae.Message == "" {
		// Only the reason phrase came: better than no message at all.
		ae.Message = b.Error
	}
	if b.Message.list {
		ae.Fields = fields(b.Message.texts)
	}
	return ae
}

// routeNotFound reports NestJS's message for a route it does not have.
func routeNotFound(msgs []string) bool {
	for _, m := range msgs {
		for _, method := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
			if strings.HasPrefix(m, "Cannot "+method+" /") {
				return true
			}
		}
	}
	return false
}

// refused is the error of a 2xx answer without "success": true.
func refused(m message) error {
	ae := &restrict.APIError{Class: errRefused, Message: m.String()}
	if ae.Message == "" {
		ae.Message = `KunaCore did not answer "success": true`
	}
	return ae
}

// fields files class-validator messages under the property each one
// starts with ("email must be an email" -> "email"). That class-validator
// words its messages so is known; that KunaCore keeps its default wording
// is an inference. A message that does not start with a property name is
// filed under "".
func fields(msgs []string) map[string][]string {
	if len(msgs) == 0 {
		return nil
	}
	out := make(map[string][]string)
	for _, m := range msgs {
		name, rest, ok := strings.Cut(m, " ")
		if name == "property" {
			// forbidNonWhitelisted: "property foo should not exist".
			name, rest, ok = strings.Cut(rest, " ")
		}
		if !ok || rest == "" || !isProperty(name) {
			name = ""
		}
		out[name] = append(out[name], m)
	}
	return out
}

func isProperty(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}
