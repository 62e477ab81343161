package purse

import (
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

// errorBody is PublicGatewayErrorResponse, Calypso's one error envelope.
// errorCode is a zero-padded string ("003"), not a number.
type errorBody struct {
	ErrorCode string `json:"errorCode"`
	Message   string `json:"message"`
}

// complete is implemented by every result: it reports whether a decoded
// success answer holds what Calypso documents it always sends.
type complete interface{ complete() bool }

// skewError is the cause of a rejected timestamp, when the answer had a
// Date header: how far the server's clock is from ours.
type skewError struct {
	offset time.Duration // server clock minus ours
}

func (e *skewError) Error() string {
	return fmt.Sprintf("the server's Date is %s from this client's clock", e.offset.Round(time.Second))
}

// decode is the Decoder for every call. Calypso answers a success with the
// object itself (the customer, the page of transactions) and a failure
// with PublicGatewayErrorResponse under HTTP 400 or 500; each is decoded
// once. Whether a success is ever wrapped, or an errorCode ever sent with
// 200, is not documented: a success that lacks what its object always
// carries (a customer's id) is read as an error envelope, so an errorCode
// in a 200 is an error, and anything else is an unreadable answer rather
// than a customer misreported as not blocked.
func (c *Client) decode(res *transport.Response, out any) error {
	if transport.IsSuccess(res.StatusCode) {
		if err := transport.Unmarshal(res.Body, out); err != nil {
			return err
		}
		if r, ok := out.(complete); !ok || r.complete() {
			return nil
		}
	}
	var eb errorBody
	if json.Unmarshal(res.Body, &eb) == nil && eb.ErrorCode != "" {
		return c.apiError(res, eb)
	}
	if transport.IsSuccess(res.StatusCode) {
		return &restrict.APIError{Class: restrict.ErrUnavailable, Message: "unreadable answer: " + missing(out) + ": " + res.Snippet(res.Body)}
	}
	// No errorCode: not Calypso's answer but a proxy's or a web server's;
	// a 404 then means the address is wrong (Calypso's own "not found" is
	// errorCode 004).
	return res.StatusError()
}

// missing names what an incomplete answer lacks, for the error.
func missing(out any) string {
	switch out.(type) {
	case *Customer:
		return "no customer id"
	case *Transaction:
		return "no transaction id"
	case *Address:
		return "no address"
	default:
		return "no result"
	}
}

func (c *Client) apiError(res *transport.Response, eb errorBody) *restrict.APIError {
	ae := &restrict.APIError{Code: eb.ErrorCode, Message: eb.Message, Class: classFor(eb.ErrorCode, res.StatusCode)}
	if eb.ErrorCode != CodeInvalidTimestamp {
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
