package transport

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

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
	case status == http.StatusNotFound || status == http.StatusGone:
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

// DecodeJSON is the Decoder for a provider without an envelope: a 2xx body
// is decoded into out; anything else is an error classified by status, with
// a short snippet of the body as its message.
func DecodeJSON(res *Response, out any) error {
	if !IsSuccess(res.StatusCode) {
		return &restrict.APIError{Class: ClassForStatus(res.StatusCode), Message: Snippet(res.Body)}
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

// Snippet returns the start of a body for an error message: at most 80
// printable characters, with anything shaped like a bearer token (a JWT)
// removed, since a provider may echo one back.
func Snippet(body []byte) string {
	const max = 80
	s := strings.TrimSpace(string(body[:min(len(body), 4*max)]))
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
	return redactJWT(b.String())
}

// redactJWT replaces every "eyJ…" run (base64url of a JSON header) with
// [REDACTED].
func redactJWT(s string) string {
	for {
		i := strings.Index(s, "eyJ")
		if i < 0 {
			return s
		}
		j := i
		for j < len(s) && (isBase64URL(s[j]) || s[j] == '.') {
			j++
		}
		s = s[:i] + "[REDACTED]" + s[j:]
	}
}

func isBase64URL(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '='
}
