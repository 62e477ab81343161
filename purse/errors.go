package purse

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/transport"
)

// CodeInvalidTimestamp is the errorCode of a request whose timestamp is
// outside the server's three-minute window.
const CodeInvalidTimestamp = "011"

// codeClasses is Calypso's errorCode table, from
// https://docs.calypso.finance/reference/errors. Codes not here keep their
// code and message and are classed by HTTP status.
var codeClasses = map[string]error{
	"000": restrict.ErrUnavailable,    // Internal server error
	"001": restrict.ErrInvalidRequest, // Bad request
	"002": restrict.ErrUnauthorized,   // Invalid api key
	"003": restrict.ErrUnauthorized,   // Wrong sign
	"004": restrict.ErrNotFound,       // Not found
	// Invoice and payout state: the target's state does not allow the
	// call, which is what ErrConflict means. No customer purse endpoint is
	// known to return them; they are here so the table is the documented
	// one.
	"006":                restrict.ErrConflict,
	"012":                restrict.ErrConflict,
	CodeInvalidTimestamp: restrict.ErrInvalidRequest, // Invalid timestamp
	// Duplicate idempotency key, and also "validation failed": the code is
	// reused. A duplicate is the documented meaning, so Conflict.
	"016": restrict.ErrConflict,
}

// errorBody is PublicGatewayErrorResponse. errorCode is a zero-padded
// string ("003"), not a number.
type errorBody struct {
	ErrorCode *string `json:"errorCode"`
	Message   string  `json:"message"`
}

// skewError is the cause of a rejected timestamp, when the answer had a
// Date header: how far the server's clock is from ours.
type skewError struct {
	offset time.Duration // server clock minus ours
}

func (e *skewError) Error() string {
	return fmt.Sprintf("the server's Date is %s from this client's clock", e.offset.Round(time.Second))
}

// decode is the Decoder for every call. Whether Calypso wraps successful
// answers in an envelope is not documented; the documented objects (the
// customer, the paged find result) are decoded as the whole body. An
// errorCode body is an error whatever the HTTP status, 200 included.
func (c *Client) decode(res *transport.Response, out any) error {
	if eb, ok := errorBodyOf(res.Body); ok {
		return c.apiError(res, *eb.ErrorCode, eb.Message)
	}
	if !transport.IsSuccess(res.StatusCode) {
		// No errorCode: not Calypso's answer but a proxy's or a web
		// server's; a 404 then means the address is wrong (Calypso's own
		// "not found" is errorCode 004).
		return res.StatusError()
	}
	return transport.Unmarshal(res.Body, out)
}

// errorBodyOf reads an errorBody with a non-empty errorCode from body. A
// body that cannot hold an errorCode member is not decoded a first time
// for nothing: json.Unmarshal matches member names without regard to case,
// and an escaped name can spell any, so only a body with no backslash and
// no "errorcode" in any case is sure to have none. ("errorcode" has no
// letter whose case folding leaves ASCII, as k and s have.)
func errorBodyOf(body []byte) (*errorBody, bool) {
	if bytes.IndexByte(body, '\\') < 0 && !containsFoldASCII(body, "errorcode") {
		return nil, false
	}
	var eb errorBody
	if json.Unmarshal(body, &eb) == nil && eb.ErrorCode != nil && *eb.ErrorCode != "" {
		return &eb, true
	}
	return nil, false
}

// containsFoldASCII reports whether b contains lower, a lowercase ASCII
// word, in any case.
func containsFoldASCII(b []byte, lower string) bool {
	for i := 0; i+len(lower) <= len(b); i++ {
		j := 0
		for j < len(lower) && b[i+j]|0x20 == lower[j] {
			j++
		}
		if j == len(lower) {
			return true
		}
	}
	return false
}

func (c *Client) apiError(res *transport.Response, code, message string) *restrict.APIError {
	ae := &restrict.APIError{Code: code, Message: message, Class: classFor(code, res.StatusCode)}
	if code != CodeInvalidTimestamp {
		return ae
	}
	note := "the request timestamp was rejected: this client's clock is off by more than the three minutes the server allows"
	if ae.Message == "" {
		ae.Message = note
	} else {
		ae.Message += " (" + note + ")"
	}
	// The Date is kept even when it agrees with our clock: a client that
	// learned an offset earlier must be able to learn it is gone.
	if date, err := http.ParseTime(res.Header.Get("Date")); err == nil {
		ae.Err = &skewError{offset: date.Sub(c.tc.Now())}
	}
	return ae
}

// classFor applies the table, except that a 5xx is always ErrUnavailable:
// the server failed, whatever code it attached. An unknown code that came
// with a 2xx is a refusal, not an outage: ErrInvalidRequest.
func classFor(code string, status int) error {
	if status >= 500 {
		return restrict.ErrUnavailable
	}
	if class, ok := codeClasses[code]; ok {
		return class
	}
	if transport.IsSuccess(status) {
		return restrict.ErrInvalidRequest
	}
	if status == http.StatusNotFound {
		// In Calypso's envelope: Calypso found the endpoint, not the
		// customer.
		return restrict.ErrNotFound
	}
	return transport.ClassForStatus(status)
}
