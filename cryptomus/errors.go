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

// codeClasses is the one table from Cryptomus' errors to classes.
// Cryptomus has no error codes, only messages; keys are compared without
// case and without a trailing full stop. APIError.Code stays empty.
var codeClasses = map[string]error{
	"not found":                  restrict.ErrNotFound,
	"you can withdraw only once": restrict.ErrConflict,
	"invalid sign":               restrict.ErrUnauthorized,
}

// envelope is every answer's shape: {"state":0,"result":…} on success,
// {"state":1,"errors":…} or {"state":1,"message":…} on failure, and
// {"message","code","error"} with no state from the 500 handler, whose
// code echoes the HTTP status.
type envelope struct {
	// State is an int, 0 for success; a "0" string reads the same, so
	// that a typing slip on Cryptomus' side is not taken for an error.
	State   json.Number  `json:"state"`
	Result  resultMember `json:"result"`
	Message string       `json:"message"`
	Errors  fieldErrors  `json:"errors"`
	Code    lenient      `json:"code"`
	Error   lenient      `json:"error"`
}

// resultMember decodes the result member straight into the caller's value, and
// records that a non-null one was there.
type resultMember struct {
	out     any
	present bool
}

func (r *resultMember) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	r.present = true
	if r.out == nil {
		return nil
	}
	return json.Unmarshal(b, r.out)
}

// fieldErrors is the errors member: each field's Laravel rule keys
// ("validation.required_without"). PHP writes an empty one as [], and a
// field with a single string is read as a list of one.
type fieldErrors map[string][]string

func (f *fieldErrors) UnmarshalJSON(b []byte) error {
	if bytes.HasPrefix(b, []byte("[")) {
		var empty []struct{}
		if err := json.Unmarshal(b, &empty); err != nil || len(empty) != 0 {
			return errors.New("errors is a non-empty array")
		}
		return nil
	}
	var m map[string]ruleKeys
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	if len(m) == 0 {
		return nil
	}
	*f = make(fieldErrors, len(m))
	for name, keys := range m {
		(*f)[name] = keys
	}
	return nil
}

// ruleKeys is one field's list of rule keys, or a lone one.
type ruleKeys []string

func (k *ruleKeys) UnmarshalJSON(b []byte) error {
	if bytes.HasPrefix(b, []byte(`"`)) {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*k = ruleKeys{s}
		return nil
	}
	var list []string
	if err := json.Unmarshal(b, &list); err != nil {
		return err
	}
	*k = append(ruleKeys{}, list...)
	return nil
}

// lenient is a scalar read as text: a string's value, a number's or a
// boolean's literal, "" for null. Cryptomus' amounts are documented as
// strings; one sent as a number is kept as written rather than lost.
type lenient string

func (l *lenient) UnmarshalJSON(b []byte) error {
	switch {
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*l = lenient(s)
	case string(b) == "null":
		*l = ""
	case b[0] == '{' || b[0] == '[':
		return errors.New("an object or array where a scalar is documented")
	default:
		*l = lenient(b)
	}
	return nil
}

// decode is the transport Decoder. Following Cryptomus' own PHP SDK, an
// answer is a success only when HTTP is 2xx and state is 0: a 200 carrying
// state 1 is an error.
func decode(res *transport.Response, out any) error {
	env := envelope{Result: resultMember{out: out}}
	if err := json.Unmarshal(res.Body, &env); err != nil {
		if transport.IsSuccess(res.StatusCode) {
			return errors.New("not Cryptomus' envelope: " + err.Error())
		}
		// A proxy's HTML page or an empty 502: the status is all there is.
		return res.StatusError()
	}
	ok := transport.IsSuccess(res.StatusCode)
	if ok && env.State == "0" {
		if !env.Result.present {
			return errors.New("state 0 without a result")
		}
		return nil
	}
	switch {
	case res.StatusCode == http.StatusNotFound && env.State == "":
		// Cryptomus' own "Not found" carries state; a 404 without it is
		// the web server's (the Laravel router's "The route … could not
		// be found." included): the address is wrong, not the wallet.
		return res.StatusError()
	case env.State == "" && env.Message == "" && len(env.Errors) == 0 && env.Error == "":
		if ok {
			return errors.New("answer without state")
		}
		return res.StatusError()
	}
	ae := &restrict.APIError{Message: env.Message, Fields: env.Errors}
	if ae.Message == "" {
		ae.Message = string(env.Error)
	}
	ae.Class = classFor(res.StatusCode, ae.Message, string(env.Code))
	if ae.Message == "" && len(ae.Fields) > 0 {
		ae.Message = "validation failed"
	}
	return ae
}

// classFor picks the class of an error answer: the message table first,
// then the HTTP status, then a 5xx code in the body. A 200 with state 1
// and a message the table does not know is the provider refusing the
// request as given, so ErrInvalidRequest, as are validation fields on a
// 200.
func classFor(status int, message, code string) error {
	key := strings.ToLower(strings.TrimRight(strings.TrimSpace(message), "."))
	if c, ok := codeClasses[key]; ok {
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
	// The 500 handler's body says "code":500, echoing its status; under an
	// HTTP 200 that code is the better witness of what happened.
	if n, err := strconv.Atoi(code); err == nil && n >= 500 && n <= 599 {
		return restrict.ErrUnavailable
	}
	return restrict.ErrInvalidRequest
}
