package walletplatform

import (
	"context"
	"encoding/json"
	"net/http"
	"sort"
	"strings"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/transport"
)

// loginPath is the users service's login, relative to the users URL.
const loginPath = "/api/v1/users/login/platform/public"

// loginRequest is the documented login body.
type loginRequest struct {
	Username string `json:"username"`
	PassID   string `json:"passId"`
}

// tokenPlaces are where a login answer may carry the token, in the order
// they are tried. The documentation says the 201 answer "does not contain
// any specific fields", so these are the places a NestJS service puts one.
var tokenPlaces = [][]string{
	{"data", "accessToken"},
	{"data", "token"},
	{"accessToken"},
	{"token"},
}

// login obtains a bearer token from the users service. transport.TokenAuth
// calls it, once for all concurrent callers, and caches what it returns.
func (c *Client) login(ctx context.Context) (string, error) {
	var token string
	_, err := c.users.Do(ctx, &transport.Operation{
		Name:   "Login",
		Method: http.MethodPost,
		Path:   loginPath,
		Body:   loginRequest{Username: c.creds.Username, PassID: string(c.creds.PassID)},
		// A login changes nothing at the provider; repeating one after a
		// lost answer only issues another token.
		Idempotent: true,
	}, &token)
	if err != nil {
		return "", err
	}
	return token, nil
}

// loginClass classifies a refused login. A 400, 404 or 409 from the users
// service means it did not accept these credentials (an unknown user, a
// malformed pass ID); reported as they come they would read, to a caller
// of FreezeAccount, as a bad account ID, a missing account or an account
// in the wrong state. A 403 stays ErrForbidden: the user exists but may
// not log in.
func loginClass(httpStatus, statusCode int) error {
	c := classFor(httpStatus, statusCode)
	switch c {
	case restrict.ErrInvalidRequest, restrict.ErrNotFound, restrict.ErrConflict:
		return restrict.ErrUnauthorized
	}
	return c
}

// decodeLogin is the users service's Decoder; out is a *string that
// receives the token.
//
// Where the token sits in the answer is undocumented, so status true is not
// required (the answer may not be an envelope at all) and the token is
// looked for in every place in tokenPlaces. An answer that carries none is
// an error matching restrict.ErrUnavailable, not ErrUnauthorized: the
// credentials were accepted, and what failed is reading the provider's
// answer, which no change of credentials would fix. It names the fields
// that did arrive, never their values, so the place can be added here.
func decodeLogin(res *transport.Response, out any) error {
	obj, _, err := parseObject(res.Header.Get("Content-Type"), res.Body, res.Scrub)
	if !transport.IsSuccess(res.StatusCode) {
		if err != nil {
			return &restrict.APIError{Class: loginClass(res.StatusCode, 0), Message: describe(err, res)}
		}
		env := envelopeOf(obj)
		return env.apiError(res.StatusCode, loginClass(res.StatusCode, env.StatusCode))
	}
	if err != nil {
		// The body may hold a token in a shape we did not foresee: keep it
		// out of the message, which the transport would extend with a
		// snippet of the body.
		return &restrict.APIError{Class: restrict.ErrUnavailable, Message: "unreadable login answer: " + err.Error()}
	}
	env := envelopeOf(obj)
	if env.Status != nil && !*env.Status {
		return env.apiError(res.StatusCode, loginClass(res.StatusCode, env.StatusCode))
	}
	token, place, found := findToken(obj)
	switch {
	case !found:
		return &restrict.APIError{Class: restrict.ErrUnavailable,
			Message: "the login answer carries no token at data.accessToken, data.token, accessToken or token; its fields are: " + fieldNames(obj, res.Scrub)}
	case !usableToken(token):
		return &restrict.APIError{Class: restrict.ErrUnavailable,
			Message: "the login answer's " + place + " is not a usable bearer token (empty, or with spaces or control characters)"}
	}
	if p, ok := out.(*string); ok {
		*p = token
	}
	return nil
}

// findToken returns the first string found at one of tokenPlaces, and
// where it was.
func findToken(obj map[string]json.RawMessage) (token, place string, found bool) {
	for _, path := range tokenPlaces {
		cur := obj
		for i, key := range path {
			raw, ok := cur[key]
			if !ok {
				break
			}
			if i < len(path)-1 {
				cur = nil
				if json.Unmarshal(raw, &cur) != nil || cur == nil {
					break
				}
				continue
			}
			var s string
			if json.Unmarshal(raw, &s) == nil {
				return strings.TrimSpace(s), strings.Join(path, "."), true
			}
		}
	}
	return "", "", false
}

func usableToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] == 0x7f {
			return false
		}
	}
	return true
}

// fieldNames lists an answer's top-level names, and data's names as
// data.<name>, sorted and bounded; never a value.
func fieldNames(obj map[string]json.RawMessage, scrub func(string) string) string {
	const maxNames = 20
	var names []string
	for k, raw := range obj {
		names = append(names, clip(scrub(printable(k))))
		var inner map[string]json.RawMessage
		if k == "data" && json.Unmarshal(raw, &inner) == nil {
			for ik := range inner {
				names = append(names, "data."+clip(scrub(printable(ik))))
			}
		}
	}
	if len(names) == 0 {
		return "none"
	}
	sort.Strings(names)
	if len(names) > maxNames {
		names = append(names[:maxNames], "…")
	}
	return strings.Join(names, ", ")
}

// printable drops control and non-ASCII characters from a name taken from
// an answer.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r >= 0x7f {
			return -1
		}
		return r
	}, s)
}
