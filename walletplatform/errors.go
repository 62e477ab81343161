package walletplatform

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/transport"
)

// classByCode maps the provider's statusCode (which echoes the HTTP status
// on errors) to a class. It is the one table of this package: the
// documentation names 400 "Invalid account id" and 404 "Account id not
// found"; 401 and 403 are what the bearer-token scheme implies.
var classByCode = map[int]error{
	http.StatusBadRequest:   restrict.ErrInvalidRequest,
	http.StatusUnauthorized: restrict.ErrUnauthorized,
	http.StatusForbidden:    restrict.ErrForbidden,
	http.StatusNotFound:     restrict.ErrNotFound,
}

// classFor classifies a refusal. On an HTTP error the HTTP status wins,
// since a proxy may answer for the service; on a 2xx that says status false
// the provider's statusCode is all there is, and a refusal that names no
// error code is taken as a rejected request.
func classFor(httpStatus, statusCode int) error {
	code := statusCode
	if !transport.IsSuccess(httpStatus) {
		code = httpStatus
	}
	if c, ok := classByCode[code]; ok {
		return c
	}
	if code >= 400 {
		return transport.ClassForStatus(code)
	}
	return restrict.ErrInvalidRequest
}

// decode is the wallet service's Decoder. A 2xx answer with status true
// fills out (a *envelope, or anything the data object decodes into); any
// other answer that can be read is an *restrict.APIError. A 2xx answer
// that cannot be read is returned as a plain error, which the transport
// reports as an unreadable answer (restrict.ErrUnavailable) with a snippet.
func decode(res *transport.Response, out any) error {
	obj, _, err := parseObject(res.Header.Get("Content-Type"), res.Body, res.Scrub)
	if !transport.IsSuccess(res.StatusCode) {
		if res.StatusCode == http.StatusNotFound && (err != nil || envelopeOf(obj).Status == nil) {
			// Not the platform's envelope, which always has a status: a
			// web server's 404 (NestJS's "Cannot POST /…" among them),
			// so the address is wrong, not the account.
			return res.StatusError()
		}
		if err != nil {
			return &restrict.APIError{Class: transport.ClassForStatus(res.StatusCode), Message: describe(err, res)}
		}
		env := envelopeOf(obj)
		return env.apiError(res.StatusCode, classFor(res.StatusCode, env.StatusCode))
	}
	if err != nil {
		return err
	}
	env := envelopeOf(obj)
	switch {
	case env.Status == nil:
		// Success is "status": true; an answer without it is not one
		// this package knows, whatever its HTTP status.
		return errors.New("answer has no status field")
	case !*env.Status:
		return env.apiError(res.StatusCode, classFor(res.StatusCode, env.StatusCode))
	}
	switch o := out.(type) {
	case nil:
		return nil
	case *envelope:
		*o = env
		return nil
	default:
		if env.Data == nil {
			return nil
		}
		return transport.Unmarshal(env.Data, out)
	}
}

// apiError builds the error for a refusal: the provider's statusCode as its
// code, and its messages, each once.
func (e envelope) apiError(httpStatus int, class error) *restrict.APIError {
	ae := &restrict.APIError{Class: class, Message: e.text()}
	if e.StatusCode != 0 {
		ae.Code = strconv.Itoa(e.StatusCode)
	}
	if ae.Message == "" {
		if t := http.StatusText(httpStatus); t != "" && !transport.IsSuccess(httpStatus) {
			ae.Message = t
		} else {
			ae.Message = "the provider refused the request without a message"
		}
	}
	return ae
}

// text joins message and every error's message and descriptiveMessage,
// leaving out repeats: the documented errors repeat message inside errors.
func (e envelope) text() string {
	var parts []string
	add := func(s string) {
		s = strings.TrimSpace(s)
		if s == "" {
			return
		}
		for _, p := range parts {
			if p == s {
				return
			}
		}
		parts = append(parts, s)
	}
	add(e.Message)
	for _, er := range e.Errors {
		add(er.Message)
		add(er.DescriptiveMessage)
	}
	return strings.Join(parts, "; ")
}
