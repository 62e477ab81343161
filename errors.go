package restrict

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// sentinel is a class of failure. Its message is used both alone and inside
// an APIError's message, so it carries no prefix of its own.
type sentinel struct {
	msg  string
	name string // the class's name in JSON records: "not_found"
	also error  // a standard-library error this class also matches
}

func (s *sentinel) Error() string { return "restrict: " + s.msg }

func (s *sentinel) Is(target error) bool { return s.also != nil && target == s.also }

// The classes of failure. Every *APIError matches exactly one of them with
// errors.Is, whatever the provider's own code was, with one exception: a call
// that the caller's context ended matches none, and matches the context's
// error instead (errors.Is(err, context.DeadlineExceeded) or
// context.Canceled), as a call of net/http, stripe-go or go-github does. It is
// not the provider's answer, and whether to try again is the caller's choice,
// so it is neither ErrUnavailable nor retryable. Its audit record (see
// APIError.MarshalJSON) names it "timeout" or "canceled". An attempt that
// outlived the HTTP client's Timeout, with the caller's context still live,
// is ErrUnavailable.
var (
	// ErrInvalidRequest: the request was rejected as malformed, locally
	// before sending or by the provider (HTTP 400, 422).
	ErrInvalidRequest error = &sentinel{msg: "invalid request", name: "invalid_request"}
	// ErrUnauthorized: the credentials or signature were rejected.
	ErrUnauthorized error = &sentinel{msg: "unauthorized", name: "unauthorized"}
	// ErrForbidden: the credentials are valid but lack the permission.
	ErrForbidden error = &sentinel{msg: "forbidden", name: "forbidden"}
	// ErrNotFound: the target does not exist at the provider.
	ErrNotFound error = &sentinel{msg: "not found", name: "not_found"}
	// ErrConflict: the target's state does not allow the call, or the call
	// was already made once where the provider allows only one.
	ErrConflict error = &sentinel{msg: "conflict", name: "conflict"}
	// ErrRateLimited: the provider asked to slow down (HTTP 429).
	// APIError.RetryAfter says for how long, when the provider said.
	ErrRateLimited error = &sentinel{msg: "rate limited", name: "rate_limited"}
	// ErrUnavailable: the provider failed or could not be reached (5xx,
	// connection errors, timeouts, unreadable answers).
	ErrUnavailable error = &sentinel{msg: "unavailable", name: "unavailable"}
	// ErrUnsupported: the provider has no such operation. It also matches
	// the standard library's errors.ErrUnsupported.
	ErrUnsupported error = &sentinel{msg: "unsupported", name: "unsupported", also: errors.ErrUnsupported}
)

// classes lists the sentinels in the order ClassName tries them.
var classes = []error{ErrInvalidRequest, ErrUnauthorized, ErrForbidden, ErrNotFound, ErrConflict, ErrRateLimited, ErrUnavailable, ErrUnsupported}

// ClassName returns the name of the class err matches, as audit records
// write it: "invalid_request", "unauthorized", "forbidden", "not_found",
// "conflict", "rate_limited", "unavailable" or "unsupported". It returns ""
// for nil and for an error that matches no class, such as a call its
// context ended; the audit record names that one "timeout" or "canceled".
func ClassName(err error) string {
	if err == nil {
		return ""
	}
	for _, c := range classes {
		if errors.Is(err, c) {
			return c.(*sentinel).name
		}
	}
	return ""
}

// recordClass is the class an audit record writes for err: ClassName's,
// or, for an error of no class that a context ended, "timeout" (a deadline
// passed, as the bulk journal says too) or "canceled".
func recordClass(err error) string {
	if name := ClassName(err); name != "" {
		return name
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	}
	return ""
}

// APIError is the one error type every provider client returns. It matches
// its Class with errors.Is, and unwraps to Err, the underlying cause where
// there is one (a network error, a context's error).
//
// Its message names the provider, operation, HTTP status, the provider's code
// and message, and never a credential, signature or token.
type APIError struct {
	Provider   string              // the provider package's name: "cryptomus", ...
	Operation  string              // the method that failed: "BlockAddress", "Restrict", ...
	StatusCode int                 // HTTP status; 0 when no answer arrived
	Code       string              // the provider's own error code, where it has one
	Message    string              // the provider's message, or ours where it sent none
	Fields     map[string][]string // per-field validation problems
	RetryAfter time.Duration       // how long the provider asked to wait, where it said
	Attempts   int                 // HTTP attempts made (see Meta.Attempts); 0 when nothing was sent
	RequestID  string              // the provider's request identifier, where it sends one
	Class      error               // one of the sentinels: ErrNotFound, ...
	Err        error               // the underlying cause, if any
}

// NewFieldError returns an error matching ErrInvalidRequest for a value the
// caller gave, naming the field, raised before anything is sent.
func NewFieldError(provider, operation, field, problem string) *APIError {
	return &APIError{
		Provider:  provider,
		Operation: operation,
		Class:     ErrInvalidRequest,
		Message:   field + " " + problem,
		Fields:    map[string][]string{field: {problem}},
	}
}

// NewUnsupportedError returns the error of an operation the provider does
// not have: it matches ErrUnsupported (and errors.ErrUnsupported), and
// nothing was sent. reason says why, in the provider's terms.
func NewUnsupportedError(provider, operation, reason string) *APIError {
	return &APIError{Provider: provider, Operation: operation, Class: ErrUnsupported, Message: reason}
}

// Error describes the failure without any secret.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("restrict: ")
	if e.Provider != "" {
		b.WriteString(e.Provider)
		if e.Operation != "" {
			b.WriteByte(' ')
			b.WriteString(e.Operation)
		}
		b.WriteString(": ")
	}
	switch {
	case e.StatusCode != 0:
		b.WriteString("HTTP ")
		b.WriteString(strconv.Itoa(e.StatusCode))
	case e.Class != nil:
		var s *sentinel
		if errors.As(e.Class, &s) {
			b.WriteString(s.msg)
		} else {
			b.WriteString(e.Class.Error())
		}
	default:
		b.WriteString("failed")
	}
	if e.Code != "" {
		b.WriteString(" code ")
		b.WriteString(strconv.Quote(e.Code))
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if len(e.Fields) > 0 && e.StatusCode != 0 {
		names := make([]string, 0, len(e.Fields))
		for name := range e.Fields {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			fmt.Fprintf(&b, "; %s: %s", name, strings.Join(e.Fields[name], ", "))
		}
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %s)", e.RetryAfter)
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " (after %d attempts)", e.Attempts)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// MarshalJSON writes the error as an audit record:
//
//	{"provider":"purse","operation":"BlockCustomer","class":"not_found",
//	 "status_code":400,"code":"004","message":"Not found","fields":null,
//	 "retry_after_ms":0,"attempts":1,"request_id":"","cause":""}
//
// class is ClassName's, or for a call the caller's context ended (no class)
// "timeout" when its deadline passed and "canceled" when it was canceled;
// cause is the text of the underlying error. Every text was scrubbed of
// secrets by the client that made the error.
func (e *APIError) MarshalJSON() ([]byte, error) {
	var cause string
	if e.Err != nil {
		cause = e.Err.Error()
	}
	return json.Marshal(struct {
		Provider     string              `json:"provider"`
		Operation    string              `json:"operation"`
		Class        string              `json:"class"`
		StatusCode   int                 `json:"status_code"`
		Code         string              `json:"code"`
		Message      string              `json:"message"`
		Fields       map[string][]string `json:"fields"`
		RetryAfterMS int64               `json:"retry_after_ms"`
		Attempts     int                 `json:"attempts"`
		RequestID    string              `json:"request_id"`
		Cause        string              `json:"cause"`
	}{e.Provider, e.Operation, recordClass(e), e.StatusCode, e.Code, e.Message, e.Fields,
		e.RetryAfter.Milliseconds(), e.Attempts, e.RequestID, cause})
}

// Is reports whether target is the error's class, so that
// errors.Is(err, restrict.ErrNotFound) works.
func (e *APIError) Is(target error) bool {
	return e.Class != nil && errors.Is(e.Class, target)
}

// Unwrap returns the underlying cause.
func (e *APIError) Unwrap() error { return e.Err }

// Retryable reports whether the same call may succeed later without any
// change: the provider was unavailable or asked to slow down.
func (e *APIError) Retryable() bool {
	return errors.Is(e, ErrUnavailable) || errors.Is(e, ErrRateLimited)
}
