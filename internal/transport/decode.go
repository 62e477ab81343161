package transport

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/restrictkit/restrict"
)

// ClassForStatus is the sentinel an HTTP status maps to when the provider's
// body says nothing more specific.
func ClassForStatus(status int) error {
	switch {
	case status == http.StatusUnauthorized:
		return restrict.ErrUnauthorized
	case status == http.StatusForbidden:
		return restrict.ErrForbidden
	case status == http.StatusNotFound:
		// A provider's own "no such customer" comes in its own envelope,
		// and its decoder says ErrNotFound. A bare 404 is the web server
		// or a proxy saying there is no such endpoint: the address is
		// wrong, which no retry and no other customer ID will fix.
		return restrict.ErrInvalidRequest
	case status == http.StatusGone:
		return restrict.ErrNotFound
	case status == http.StatusConflict:
		return restrict.ErrConflict
	case status == http.StatusTooManyRequests:
		return restrict.ErrRateLimited
	case status == http.StatusRequestTimeout:
		return restrict.ErrUnavailable
	case status >= 400 && status < 500:
		return restrict.ErrInvalidRequest
	default:
		// 5xx, and 1xx/3xx answers that a JSON API should never give.
		return restrict.ErrUnavailable
	}
}

// IsSuccess reports a 2xx status.
func IsSuccess(status int) bool { return status >= 200 && status < 300 }

// WrongAddress is the message of a 404 that is not a provider's own answer.
const WrongAddress = "no such endpoint: the base URL or path is likely wrong"

// Response is one complete answer, handed to a Decoder.
type Response struct {
	StatusCode int
	Header     http.Header
	Body       []byte // at most MaxResponseBytes

	call *call // nil for a Response built by hand, in a test
}

// Scrub removes from s every secret of the client and every signature or
// token the call sent. A decoder scrubs what it puts in a result (a
// provider's warnings); errors are scrubbed by the transport.
func (r *Response) Scrub(s string) string {
	if r.call == nil {
		return (*Secrets)(nil).Scrub(s)
	}
	return r.call.scrub(s)
}

// Snippet returns the start of b, scrubbed first and cut after, for an
// error message: at most 80 printable characters.
func (r *Response) Snippet(b []byte) string {
	return cut(r.Scrub(string(b[:min(len(b), 64<<10)])), snippetLen)
}

// StatusError is the error for an answer that carries no error of the
// provider's own: classed by its HTTP status, with the start of the body as
// its message. A 404 then says that the address is wrong, since a
// provider's own "not found" comes in its envelope.
func (r *Response) StatusError() *restrict.APIError {
	ae := &restrict.APIError{Class: ClassForStatus(r.StatusCode), Message: r.Snippet(r.Body)}
	if r.StatusCode == http.StatusNotFound {
		if ae.Message == "" {
			ae.Message = WrongAddress
		} else {
			ae.Message = WrongAddress + " (the answer: " + ae.Message + ")"
		}
	}
	return ae
}

// DecodeJSON is the Decoder for a provider without an envelope: a 2xx body
// is decoded into out; anything else is res.StatusError().
func DecodeJSON(res *Response, out any) error {
	if !IsSuccess(res.StatusCode) {
		return res.StatusError()
	}
	return Unmarshal(res.Body, out)
}

// Unmarshal decodes a JSON body into out (a nil out skips it). An empty body
// or malformed JSON is an error: the caller reports the answer unreadable.
func Unmarshal(body []byte, out any) error {
	if out == nil {
		return nil
	}
	if len(body) == 0 {
		return errors.New("empty body")
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("malformed JSON: %w", err)
	}
	return nil
}

// AlreadyInState reports whether err is the provider refusing operation op
// because its target is already in the state asked for: an answer (not a
// local check) to op itself, classed ErrInvalidRequest or ErrConflict,
// whose message, in lower case, says so by match. It returns the exchange
// behind the refusal, for the contract's Result: Restrict and Lift are
// idempotent at the contract, and such a refusal is their success.
func AlreadyInState(err error, op string, match func(message string) bool) (restrict.Meta, bool) {
	var ae *restrict.APIError
	if !errors.As(err, &ae) || ae.Operation != op || ae.StatusCode == 0 ||
		!errors.Is(ae, restrict.ErrInvalidRequest) && !errors.Is(ae, restrict.ErrConflict) ||
		!match(strings.ToLower(ae.Message)) {
		return restrict.Meta{}, false
	}
	return restrict.Meta{StatusCode: ae.StatusCode, RequestID: ae.RequestID, Attempts: ae.Attempts}, true
}
