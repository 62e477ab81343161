package customerv2

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/transport"
)

// classes is the one table from KunaCore's answer to a class of failure.
// KunaCore publishes no error codes; its reference pages point to a NestJS
// backend, whose errors carry only the HTTP status, so the status is the
// code. Anything else falls back to transport.ClassForStatus.
var classes = map[int]error{
	http.StatusBadRequest:   restrict.ErrInvalidRequest,
	http.StatusUnauthorized: restrict.ErrUnauthorized,
	http.StatusForbidden:    restrict.ErrForbidden,
	http.StatusNotFound:     restrict.ErrNotFound,
	http.StatusConflict:     restrict.ErrConflict,
}

func classFor(status int) error {
	if c, ok := classes[status]; ok {
		return c
	}
	return transport.ClassForStatus(status)
}

// errRefused classes an answer that is 2xx but says "success": false.
// KunaCore documents no such answer, so nothing says why; the request was
// understood and authenticated, and the documented reasons a partner is
// refused (a customer suspended, a status Kuna set) are all about the
// customer's state, which is what ErrConflict means.
var errRefused = restrict.ErrConflict

// decode is the Decoder for every KunaCore call. Success is enveloped as
// {"data": ...}; "success": false, at the top or inside data, is an error
// whatever the status. Failures are NestJS bodies {"statusCode", "message"
// (a string or a list), "error"}; any other failure body is kept, cut short,
// as the message.
func decode(res *transport.Response, out any) error {
	obj, isObject := object(res.Body)
	if !transport.IsSuccess(res.StatusCode) {
		return failure(res, res.StatusCode, obj, isObject)
	}
	if !isObject {
		return errors.New("the answer is not a JSON object")
	}
	if isFalse(obj["success"]) {
		return refused(obj, nil)
	}
	data, ok := obj["data"]
	if !ok || isNull(data) {
		if code, ok := statusCode(obj["statusCode"]); ok && code >= 400 {
			return failure(res, code, obj, true)
		}
		return errors.New(`the answer has no "data"`)
	}
	if inner, ok := object(data); ok && isFalse(inner["success"]) {
		return refused(inner, obj)
	}
	return transport.Unmarshal(data, out)
}

// failure reads a NestJS error body, or keeps whatever else came.
func failure(res *transport.Response, status int, obj map[string]json.RawMessage, isObject bool) error {
	msgs := messages(obj["message"])
	if status == http.StatusNotFound && (!isObject || !hasAny(obj, "statusCode") || isRouteNotFound(msgs)) {
		// KunaCore's NestJS errors always carry statusCode. A 404 without
		// it is another server's (an nginx page, Spring's default), and
		// NestJS's own "Cannot POST /v2/customer/detail" is its answer to
		// a route it does not have: either way the address is wrong, not
		// the customer.
		ae := res.StatusError()
		if isRouteNotFound(msgs) {
			ae.Message = transport.WrongAddress + " (the answer: " + strings.Join(msgs, "; ") + ")"
		}
		return ae
	}
	if !isObject || !hasAny(obj, "message", "error", "statusCode") {
		// Not KunaCore's: a proxy's page, kept short.
		ae := res.StatusError()
		ae.Class = classFor(status)
		return ae
	}
	ae := &restrict.APIError{Class: classFor(status)}
	ae.Code = text(obj["error"])
	ae.Message = strings.Join(msgs, "; ")
	if ae.Message == "" {
		ae.Message = ae.Code
	}
	if isList(obj["message"]) {
		ae.Fields = fields(msgs)
	}
	return ae
}

// isRouteNotFound reports NestJS's message for a route it does not have.
func isRouteNotFound(msgs []string) bool {
	for _, m := range msgs {
		for _, method := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
			if strings.HasPrefix(m, "Cannot "+method+" /") {
				return true
			}
		}
	}
	return false
}

// refused builds the error for "success": false. The message is taken from
// the object that said false, else from the outer envelope.
func refused(obj, outer map[string]json.RawMessage) error {
	ae := &restrict.APIError{Class: errRefused}
	for _, o := range []map[string]json.RawMessage{obj, outer} {
		if o == nil {
			continue
		}
		if m := strings.Join(messages(o["message"]), "; "); m != "" {
			ae.Message = m
			break
		}
	}
	if ae.Message == "" {
		ae.Message = `KunaCore answered "success": false`
	}
	return ae
}

func object(b []byte) (map[string]json.RawMessage, bool) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		return nil, false
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(b, &m) != nil || m == nil {
		return nil, false
	}
	return m, true
}

func isNull(raw json.RawMessage) bool {
	return len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null"
}

func isFalse(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "false" }

func isList(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) > 0 && raw[0] == '['
}

func hasAny(obj map[string]json.RawMessage, keys ...string) bool {
	for _, k := range keys {
		if _, ok := obj[k]; ok {
			return true
		}
	}
	return false
}

func statusCode(raw json.RawMessage) (int, bool) {
	var n json.Number
	if json.Unmarshal(raw, &n) != nil {
		return 0, false
	}
	i, err := strconv.Atoi(n.String())
	return i, err == nil
}

// text reads a JSON string; any other JSON value is kept as its text,
// which the transport scrubs and bounds with the rest of the error.
func text(raw json.RawMessage) string {
	if isNull(raw) {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(bytes.TrimSpace(raw))
}

// messages reads NestJS's "message": one string, or a list from
// class-validator with one entry per broken rule.
func messages(raw json.RawMessage) []string {
	if isNull(raw) {
		return nil
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) != nil {
		if s := text(raw); s != "" {
			return []string{s}
		}
		return nil
	}
	out := make([]string, 0, len(list))
	for _, item := range list {
		if s := text(item); s != "" {
			out = append(out, s)
		}
	}
	return out
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
