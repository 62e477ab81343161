package cryptomus

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

// messageClass is the one table from Cryptomus' error messages to classes.
// Cryptomus has no error codes for these answers, only messages; keys are
// compared without case and without a trailing full stop.
var messageClass = map[string]error{
	"not found":                  restrict.ErrNotFound,
	"you can withdraw only once": restrict.ErrConflict,
	"invalid sign":               restrict.ErrUnauthorized,
}

// envelope is every answer's shape: {"state":0,"result":…} on success,
// {"state":1,"errors":…} or {"state":1,"message":…} on failure, and
// {"message","code","error"} with no state from the 500 handler.
type envelope struct {
	State   json.RawMessage `json:"state"`
	Result  json.RawMessage `json:"result"`
	Message json.RawMessage `json:"message"`
	Errors  json.RawMessage `json:"errors"`
	Code    json.RawMessage `json:"code"`
	Error   json.RawMessage `json:"error"`
}

// decode is the transport Decoder. Following Cryptomus' own PHP SDK, an
// answer is a success only when HTTP is 2xx and state is 0: a 200 carrying
// state 1 is an error.
func decode(res *transport.Response, out any) error {
	var env envelope
	if err := json.Unmarshal(res.Body, &env); err != nil || !isObject(res.Body) {
		return unreadable(res)
	}
	if res.StatusCode == http.StatusNotFound && len(env.State) == 0 {
		// Cryptomus' own answers carry state; a 404 without it is the
		// web server's (Laravel's {"message":"Not Found"} for an unknown
		// route included): the address is wrong, not the wallet.
		return res.StatusError()
	}
	// state is an int; a "0" string is read the same, so that a typing
	// slip on Cryptomus' side is not taken for an error.
	state := scalar(env.State)
	if transport.IsSuccess(res.StatusCode) && state == "0" {
		if out == nil {
			return nil
		}
		if len(env.Result) == 0 || string(env.Result) == "null" {
			return errors.New("state 0 without a result")
		}
		return transport.Unmarshal(env.Result, out)
	}
	if transport.IsSuccess(res.StatusCode) && state == "" && scalar(env.Message) == "" && len(env.Errors) == 0 {
		// Neither the documented success nor an error: unreadable.
		return errors.New("answer without state")
	}
	ae := &restrict.APIError{
		Message: scalar(env.Message),
		Code:    scalar(env.Code),
		Fields:  fields(env.Errors),
	}
	if ae.Message == "" {
		ae.Message = scalar(env.Error)
	}
	ae.Class = classify(res.StatusCode, ae.Message, ae.Code)
	if ae.Message == "" && len(ae.Fields) > 0 {
		ae.Message = "validation failed"
	}
	return ae
}

// classify picks the class of an error answer: the message table first,
// then the HTTP status, then a 5xx code in the body. A 200 with state 1
// and a message the table does not know is the provider refusing the
// request as given, so ErrInvalidRequest, as are validation fields on a
// 200.
func classify(status int, message, code string) error {
	key := strings.ToLower(strings.TrimRight(strings.TrimSpace(message), "."))
	if c, ok := messageClass[key]; ok {
		return c
	}
	// "Wallet not found" and the like: the table names the generic one.
	if strings.HasSuffix(key, " not found") {
		return restrict.ErrNotFound
	}
	if status == http.StatusNotFound {
		// A 404 in Cryptomus' envelope (decode sends any other 404 to
		// StatusError) is Cryptomus saying so.
		return restrict.ErrNotFound
	}
	if !transport.IsSuccess(status) {
		return transport.ClassForStatus(status)
	}
	// The 500 handler's body says "code":500; under a 200 that code is
	// the better witness.
	if n, err := strconv.Atoi(code); err == nil && n >= 500 && n <= 599 {
		return restrict.ErrUnavailable
	}
	return restrict.ErrInvalidRequest
}

// unreadable is decode's answer to a body that is not a JSON object.
func unreadable(res *transport.Response) error {
	if transport.IsSuccess(res.StatusCode) {
		if len(bytes.TrimSpace(res.Body)) == 0 {
			return errors.New("empty body")
		}
		return errors.New("malformed JSON")
	}
	// A proxy's HTML page or an empty 502: the status is all there is.
	return res.StatusError()
}

func isObject(b []byte) bool {
	b = bytes.TrimSpace(b)
	return len(b) > 0 && b[0] == '{'
}

// scalar renders a JSON string, number or boolean as text; null, absent
// and structured values give "".
func scalar(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" || raw[0] == '{' || raw[0] == '[' {
		return ""
	}
	if raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return ""
		}
		return s
	}
	return string(raw)
}

// fields reads the errors object: each field's list of Laravel rule keys
// ("validation.required_without"), or a single string. PHP sends an empty
// errors object as [], which carries nothing.
func fields(raw json.RawMessage) map[string][]string {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil || len(m) == 0 {
		return nil
	}
	out := make(map[string][]string, len(m))
	for name := range m {
		var list []json.RawMessage
		if json.Unmarshal(m[name], &list) == nil {
			for _, item := range list {
				if s := scalar(item); s != "" {
					out[name] = append(out[name], s)
				}
			}
			if _, ok := out[name]; !ok {
				out[name] = []string{}
			}
			continue
		}
		if s := scalar(m[name]); s != "" {
			out[name] = []string{s}
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
