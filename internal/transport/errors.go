package transport

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/restrictkit/restrict"
)

// fail turns whatever ended a call into a *restrict.APIError with the
// call's facts filled in and every secret scrubbed.
func (cl *call) fail(err error, resp *http.Response) error {
	c := cl.c
	var ae *restrict.APIError
	switch {
	case errors.As(err, &ae):
		if ae.Operation != "" && ae.Operation != cl.op.Name {
			// An error of another operation (a login run by the signer)
			// is returned as that operation reported it.
			return err
		}
	case cl.ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)):
		ae = &restrict.APIError{Message: "the context ended", Err: cl.ctx.Err()}
	case errors.Is(err, errTooLarge):
		ae = &restrict.APIError{Class: restrict.ErrUnavailable, Message: errTooLarge.Error()}
	case resp != nil && cl.answer != nil:
		// The decoder failed without a provider error: the answer is
		// unreadable.
		ae = &restrict.APIError{Class: restrict.ErrUnavailable, Message: "unreadable answer: " + err.Error()}
		if s := cut(cl.scrub(string(cl.answer[:min(len(cl.answer), 64<<10)])), snippetLen); s != "" {
			ae.Message += ": " + s
		}
	default:
		ae = &restrict.APIError{Class: restrict.ErrUnavailable, Message: "no answer", Err: stripURL(err)}
	}
	ae.Provider = c.cfg.Provider
	ae.Operation = cl.op.Name
	ae.Attempts = cl.sent
	if resp != nil {
		if ae.StatusCode == 0 {
			ae.StatusCode = resp.StatusCode
		}
		if ae.RequestID == "" {
			ae.RequestID = resp.Header.Get(c.cfg.RequestIDHeader)
		}
		if ae.RetryAfter == 0 {
			ae.RetryAfter, _ = retryAfter(resp.Header, c.opts.Clock())
		}
		if resp.StatusCode == http.StatusTooManyRequests {
			ae.Class = restrict.ErrRateLimited
		}
	}
	if ae.Class == nil && ae.StatusCode != 0 {
		ae.Class = ClassForStatus(ae.StatusCode)
	}
	// Scrubbed whole, and only then cut: half a secret is not found.
	ae.Message = cut(cl.scrub(ae.Message), maxMessageLen)
	ae.Code = cut(cl.scrub(ae.Code), maxMessageLen)
	ae.RequestID = cut(cl.scrub(ae.RequestID), maxMessageLen)
	if len(ae.Fields) > 0 {
		fields := make(map[string][]string, len(ae.Fields))
		for k, vs := range ae.Fields {
			clean := make([]string, len(vs))
			for i, v := range vs {
				clean[i] = cut(cl.scrub(v), maxMessageLen)
			}
			fields[cut(cl.scrub(k), maxMessageLen)] = clean
		}
		ae.Fields = fields
	}
	ae.Err = c.secrets.scrubError(ae.Err, cl.forms())
	return ae
}

// limiterError is the error of an attempt its limiter never let go: the
// context's own when it ended, else the limiter's refusal (a wait that
// would outlast the deadline), which asks to slow down.
func (cl *call) limiterError(err error) error {
	if cl.ctx.Err() != nil {
		return cl.ctx.Err()
	}
	return &restrict.APIError{Class: restrict.ErrRateLimited, Message: "the rate limiter's wait would outlast the call's deadline", Err: err}
}

// maxMessageLen bounds each text of an error: a provider's message, code,
// field or request ID.
const maxMessageLen = 1000

// stripURL drops the URL that net/http puts in its errors: errors report the
// operation, not an address that could carry a secret.
func stripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// errNotMade is what a provider client that was not made with its
// package's New (a zero-value Client, whose transport client is nil)
// answers every call with: nothing is sent, nothing panics.
func errNotMade(operation string) error {
	return &restrict.APIError{Operation: operation, Class: restrict.ErrInvalidRequest,
		Message: "the client was not made with its package's New (a zero-value Client)"}
}

// snippetLen bounds the start of an answer quoted in a message.
const snippetLen = 80

// cut returns the start of s for a message: at most max printable
// characters, white space folded to one space. Only scrubbed text may be
// cut: half a secret is no longer found.
func cut(s string, max int) string {
	s = strings.TrimSpace(s)
	var b strings.Builder
	n := 0
	for _, r := range s {
		if n == max {
			b.WriteString("…")
			break
		}
		switch {
		case r == utf8.RuneError:
			continue
		case unicode.IsSpace(r):
			r = ' '
		case !unicode.IsPrint(r):
			continue
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}
