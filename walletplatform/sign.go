package walletplatform

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"sort"
	"strings"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/transport"
)

// The wallet service wants two credentials on every call: the tenant's key
// in an apiKey header and a user's bearer token. With a static Token both
// are fixed (signStatic); with a login the token comes from
// transport.TokenAuth, which calls login for it and setAPIKey for the key.

func (c *Client) setAPIKey(h http.Header) {
	// Go sends the name canonicalised ("Apikey"); header names are
	// case-insensitive in HTTP, and keeping the canonical form lets the
	// transport find the value to scrub it.
	h.Set("apiKey", string(c.creds.APIKey))
}

func (c *Client) signStatic(_ context.Context, a *transport.Attempt) error {
	c.setAPIKey(a.Header)
	a.Header.Set("Authorization", c.authorization)
	return nil
}

// signLogin authenticates the login call itself, which carries the key but
// no token yet.
func (c *Client) signLogin(_ context.Context, a *transport.Attempt) error {
	c.setAPIKey(a.Header)
	return nil
}

// loginPath is the users service's login, relative to the users URL.
const loginPath = "/api/v1/users/login/platform/public"

// loginRequest is the documented login body.
type loginRequest struct {
	Username string `json:"username"`
	PassID   string `json:"passId"`
}

// login obtains a bearer token from the users service
// (POST /api/v1/users/login/platform/public). transport.TokenAuth calls it,
// once for all concurrent callers, and caches what it returns. It uses Do,
// not Call: it returns a token, not a result.
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

// tokenPlaces names the places loginToken looks in, in its order.
const tokenPlaces = "data.accessToken, data.token, accessToken or token"

// loginToken returns the first token a login answer carries, and where.
// The documentation says the login's 201 "does not contain any specific
// fields", so where the token sits is a guess: in the envelope's data as
// accessToken or token, or beside the envelope's fields under the same
// names, the places a NestJS service puts one.
func loginToken(e *envelope) (token, place string) {
	var data struct {
		AccessToken scalar `json:"accessToken"`
		Token       scalar `json:"token"`
	}
	if e.Data != nil {
		// Data that is not an object holds no token; the answer is then
		// reported with the names it did carry.
		_ = json.Unmarshal(e.Data, &data)
	}
	for _, p := range []struct {
		v     scalar
		place string
	}{
		{data.AccessToken, "data.accessToken"},
		{data.Token, "data.token"},
		{e.AccessToken, "accessToken"},
		{e.Token, "token"},
	} {
		if t := strings.TrimSpace(string(p.v)); t != "" {
			return t, p.place
		}
	}
	return "", ""
}

// loginClass classifies a refused login. A 400, 404 or 409 from the users
// service in its envelope means it did not accept these credentials (an
// unknown user, a malformed pass ID); reported as they come they would
// read, to a caller of FreezeAccount, as a bad account ID, a missing
// account or an account in the wrong state. A 403 stays ErrForbidden: the
// user exists but may not log in.
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
// Status true is not required (the answer may not be an envelope at all),
// and the token is looked for in every place loginToken knows. An answer
// that carries none is an error matching restrict.ErrUnavailable, not
// ErrUnauthorized: the credentials were accepted, and what failed is
// reading the provider's answer, which no change of credentials would fix.
// It names the fields that did arrive, never their values, so that the
// place can be added here.
func decodeLogin(res *transport.Response, out any) error {
	var ans envelope
	err := parse(res.Body, &ans)
	if !transport.IsSuccess(res.StatusCode) {
		if res.StatusCode == http.StatusNotFound && (err != nil || ans.Status == nil) {
			// A web server's 404, not the users service's envelope: the
			// users URL is wrong (see WithUsersURL).
			return res.StatusError()
		}
		if err != nil {
			return &restrict.APIError{Class: loginClass(res.StatusCode, 0), Message: describe(err, res)}
		}
		return ans.apiError(res.StatusCode, loginClass(res.StatusCode, int(ans.StatusCode)))
	}
	if err != nil {
		// The body may hold a token in a shape we did not foresee: keep it
		// out of the message, which the transport would extend with a
		// snippet of the body for a plain error.
		return &restrict.APIError{Class: restrict.ErrUnavailable, Message: "unreadable login answer: " + err.Error()}
	}
	if ans.Status != nil && !bool(*ans.Status) {
		return ans.apiError(res.StatusCode, loginClass(res.StatusCode, int(ans.StatusCode)))
	}
	token, place := loginToken(&ans)
	switch {
	case token == "":
		return &restrict.APIError{Class: restrict.ErrUnavailable,
			Message: "the login answer carries no token at " + tokenPlaces + "; its fields are: " + fieldNames(res.Body, res.Scrub)}
	case !usableToken(token):
		return &restrict.APIError{Class: restrict.ErrUnavailable,
			Message: "the login answer's " + place + " is not a usable bearer token (it holds spaces or control characters)"}
	}
	if p, ok := out.(*string); ok {
		*p = token
	}
	return nil
}

// usableToken reports a token that can follow "Bearer " in a header: not
// empty, without white space or control characters.
func usableToken(s string) bool {
	return s != "" && !strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7f })
}

// fieldNames lists the names a login answer carried at its top level, and
// inside data as data.<name>, sorted and bounded, never a value: for the
// error of an answer without a token, the one case where the answer is
// read a second time, to say where the token went.
func fieldNames(body []byte, scrub func(string) string) string {
	const maxNames = 20
	seen := map[string]bool{}
	body = trimStart(body)
	if len(body) > 0 && body[0] == '<' {
		var root xmlNode
		if xml.Unmarshal(body, &root) == nil {
			for _, c := range root.Children {
				seen[c.XMLName.Local] = true
				if c.XMLName.Local == "data" {
					for _, g := range c.Children {
						seen["data."+g.XMLName.Local] = true
					}
				}
			}
		}
	} else {
		var top map[string]json.RawMessage
		if json.Unmarshal(body, &top) == nil {
			for k, raw := range top {
				seen[k] = true
				var inner map[string]json.RawMessage
				if k == "data" && json.Unmarshal(raw, &inner) == nil {
					for ik := range inner {
						seen["data."+ik] = true
					}
				}
			}
		}
	}
	if len(seen) == 0 {
		return "none"
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, clip(scrub(printable(n))))
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

// clip bounds a name taken from an answer before it goes into a message.
func clip(s string) string {
	const max = 40
	if len(s) > max {
		return s[:max] + "…"
	}
	return s
}
