package walletplatform_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/testkit"
	"github.com/restrictkit/restrict/internal/transport"
	"github.com/restrictkit/restrict/walletplatform"
)

// The documentation's own XML examples, verbatim.
const (
	docXMLSuccess = `<response>
<status>true</status>
<statusCode>0</statusCode>
<message>string</message>
<data></data>
<errors>
<error>
<message>string</message>
<descriptiveMessage>string</descriptiveMessage>
</error>
</errors>
</response>`
	docXML400 = `<response>
<status>false</status>
<statusCode>400</statusCode>
<message>Invalid account id</message>
<data></data>
<errors>
<error>
<message>Invalid account id</message>
<descriptiveMessage></descriptiveMessage>
</error>
</errors>
</response>`
	docXML404 = `<response>
<status>false</status>
<statusCode>404</statusCode>
<message>Account id not found</message>
<data></data>
<errors>
<error>
<message>Account id not found</message>
<descriptiveMessage></descriptiveMessage>
</error>
</errors>
</response>`
)

// SABI's statusCode echoes the HTTP status, so no refusal carries a code
// of the provider's own: APIError.Code stays empty, and statusCode only
// decides the class of a refusal inside a 2xx answer.
func TestErrorAnswers(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		status  int
		ct      string
		body    string
		class   error
		message string
	}{
		{"json 400", 400, jsonCT, `{"status":false,"statusCode":400,"message":"Invalid account id","data":{},"errors":[{"message":"Invalid account id","descriptiveMessage":""}]}`,
			restrict.ErrInvalidRequest, "Invalid account id"},
		{"xml 400 (documented)", 400, xmlCT, docXML400, restrict.ErrInvalidRequest, "Invalid account id"},
		{"xml 404 (documented)", 404, xmlCT, docXML404, restrict.ErrNotFound, "Account id not found"},
		{"xml 404 without type", 404, "", docXML404, restrict.ErrNotFound, "Account id not found"},
		{"json 404", 404, jsonCT, `{"status":false,"statusCode":404,"message":"Account id not found","errors":[{"message":"Account id not found"}]}`,
			restrict.ErrNotFound, "Account id not found"},
		{"json 401", 401, jsonCT, `{"status":false,"statusCode":401,"message":"Unauthorized","errors":[{"message":"Unauthorized","descriptiveMessage":"jwt expired"}]}`,
			restrict.ErrUnauthorized, "Unauthorized; jwt expired"},
		{"json 403", 403, jsonCT, `{"status":false,"statusCode":403,"message":"Forbidden resource"}`,
			restrict.ErrForbidden, "Forbidden resource"},
		{"nestjs validation", 400, jsonCT, `{"statusCode":400,"message":["accountId must be a string","accountId should not be empty"],"error":"Bad Request"}`,
			restrict.ErrInvalidRequest, "accountId must be a string; accountId should not be empty"},
		{"status false on 200 with 404", 200, jsonCT, `{"status":false,"statusCode":404,"message":"Account id not found"}`,
			restrict.ErrNotFound, "Account id not found"},
		{"status false on 200, xml", 200, xmlCT, docXML400, restrict.ErrInvalidRequest, "Invalid account id"},
		{"status false on 200 without code", 200, jsonCT, `{"status":false,"message":"Account is locked"}`,
			restrict.ErrInvalidRequest, "Account is locked"},
		{"status false on 200 with 500", 200, jsonCT, `{"status":false,"statusCode":500,"message":"db down"}`,
			restrict.ErrUnavailable, "db down"},
		{"status false, nothing said", 200, jsonCT, `{"status":false}`,
			restrict.ErrInvalidRequest, "the provider refused the request without a message"},
		{"400 without a message", 400, jsonCT, `{"status":false,"statusCode":400}`, restrict.ErrInvalidRequest, "Bad Request"},
		{"empty 404", 404, "", ``, restrict.ErrInvalidRequest, transport.WrongAddress},
		// 404s that are not the platform's envelope: the address is wrong.
		{"NestJS unknown route", 404, jsonCT, `{"statusCode":404,"message":"Cannot POST /accounts/freeze","error":"Not Found"}`,
			restrict.ErrInvalidRequest, transport.WrongAddress + ` (the answer: {"statusCode":404,"message":"Cannot POST /accounts/freeze","error":"Not Found"})`},
		{"Go mux", 404, "text/plain", "404 page not found", restrict.ErrInvalidRequest, transport.WrongAddress + " (the answer: 404 page not found)"},
		{"html 400", 400, "text/html", `<html><body>Bad Request</body></html>`,
			restrict.ErrInvalidRequest, "unreadable answer: malformed XML: expected element type <response> but have <html>: <html><body>Bad Request</body></html>"},
		{"409 envelope", 409, jsonCT, `{"status":false,"statusCode":409,"message":"busy"}`, restrict.ErrConflict, "busy"},
		{"429", 429, jsonCT, `{"status":false,"statusCode":429,"message":"Too Many Requests"}`, restrict.ErrRateLimited, "Too Many Requests"},
		{"http status wins over statusCode", 403, jsonCT, `{"status":false,"statusCode":404,"message":"x"}`, restrict.ErrForbidden, "x"},
		{"plain text 418", 418, "text/plain", `I'm a teapot`, restrict.ErrInvalidRequest,
			`unreadable answer: answer is neither a JSON object nor XML: I'm a teapot`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// One attempt: 429 would otherwise be retried.
			c, mt := newMocked(t, staticCreds(), restrict.WithRetry(restrict.RetryPolicy{MaxAttempts: 1}))
			mt.RegisterResponder(http.MethodPost, freezeAt, answer(tc.status, tc.ct, tc.body))
			res, err := freeze(context.Background(), c, "acc-1")
			require.Nil(t, res)
			require.ErrorIs(t, err, tc.class)
			ae := testkit.RequireAPIError(t, err, walletplatform.Provider, nil)
			require.Equal(t, "walletplatform", ae.Provider)
			require.Equal(t, "FreezeAccount", ae.Operation)
			require.Equal(t, tc.status, ae.StatusCode)
			require.Empty(t, ae.Code, "statusCode echoes the HTTP status: it is no code of SABI's")
			require.Equal(t, tc.message, ae.Message)
			require.Equal(t, 1, ae.Attempts)
			require.Nil(t, ae.Fields)
			requireNoSecret(t, err)
		})
	}
}

// A 2xx that cannot be read is an unreadable answer: ErrUnavailable, with
// the status and a short snippet.
func TestUnreadableSuccess(t *testing.T) {
	t.Parallel()
	cases := map[string]struct{ ct, body, want string }{
		"html":             {"text/html", `<!DOCTYPE html><html><head><title>Welcome to nginx</title></head></html>`, "expected element type <response> but have <html>"},
		"no status":        {jsonCT, `{"data":{"uuid":"u"}}`, "answer has no status field"},
		"empty":            {jsonCT, ``, "empty answer"},
		"json array":       {jsonCT, `[{"status":true}]`, "neither a JSON object nor XML"},
		"bad json":         {jsonCT, `{"status":tru`, "malformed JSON"},
		"bad xml":          {xmlCT, `<response><status>true</status>`, "malformed XML"},
		"text":             {"text/plain", `OK`, "neither a JSON object nor XML"},
		"null":             {jsonCT, `null`, "neither a JSON object nor XML"},
		"status word":      {jsonCT, `{"status":"yes"}`, "malformed JSON"},
		"status code word": {jsonCT, `{"status":true,"statusCode":"ok"}`, "malformed JSON"},
		"xml status bad":   {xmlCT, `<response><status>yes</status></response>`, "malformed XML"},
		"errors strings":   {jsonCT, `{"status":true,"errors":["x"]}`, "malformed JSON"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMocked(t, staticCreds())
			mt.RegisterResponder(http.MethodPost, freezeAt, answer(http.StatusOK, tc.ct, tc.body))
			_, err := freeze(context.Background(), c, "acc-1")
			require.ErrorIs(t, err, restrict.ErrUnavailable)
			ae := testkit.RequireAPIError(t, err, walletplatform.Provider, nil)
			require.Equal(t, http.StatusOK, ae.StatusCode)
			require.Contains(t, ae.Message, "unreadable answer")
			require.Contains(t, ae.Message, tc.want)
			require.Equal(t, 1, ae.Attempts, "an unreadable 200 is not retried")
		})
	}
}

// A provider that echoes credentials back does not get them into errors:
// neither the static ones nor a token from a login.
func TestErrorsAreScrubbed(t *testing.T) {
	t.Parallel()
	c, mt := newMocked(t, staticCreds())
	mt.RegisterResponder(http.MethodPost, freezeAt, answer(http.StatusBadRequest, jsonCT,
		`{"status":false,"statusCode":400,"message":"bad key `+apiKey+`","errors":[{"message":"token `+staticTk+`"}]}`))
	_, err := freeze(context.Background(), c, "acc-1")
	requireNoSecret(t, err)
	require.Contains(t, err.Error(), "[REDACTED]")

	const loginToken = "login-issued-token-abcdef"
	c, mt = newMocked(t, loginCreds())
	mt.RegisterResponder(http.MethodPost, loginAt, answer(http.StatusCreated, jsonCT, `{"token":"`+loginToken+`"}`))
	mt.RegisterResponder(http.MethodPost, freezeAt, answer(http.StatusForbidden, jsonCT,
		`{"status":false,"statusCode":403,"message":"token `+loginToken+` may not freeze","errors":[{"descriptiveMessage":"user `+passID+`"}]}`))
	_, err = freeze(context.Background(), c, "acc-1")
	require.ErrorIs(t, err, restrict.ErrForbidden)
	requireNoSecret(t, err, loginToken)
	require.Contains(t, err.Error(), "token [REDACTED] may not freeze")

	c, mt = newMocked(t, staticCreds())
	mt.RegisterResponder(http.MethodPost, freezeAt, answer(http.StatusBadGateway, "text/html", `<h1>upstream said `+apiKey+`</h1>`))
	_, err = freeze(context.Background(), c, "acc-1")
	require.ErrorIs(t, err, restrict.ErrUnavailable)
	requireNoSecret(t, err)
	require.True(t, strings.Contains(err.Error(), "HTTP 502"), err.Error())
}

// 503 is retried, for these idempotent calls, and 500 too; 400 is not.
func TestRetries(t *testing.T) {
	t.Parallel()
	c, mt := newMocked(t, staticCreds())
	var s testkit.Recorder
	mt.RegisterResponder(http.MethodPost, freezeAt, s.Wrap(
		answer(http.StatusServiceUnavailable, "text/html", "<h1>down</h1>").Times(1).
			Then(answer(http.StatusInternalServerError, jsonCT, `{"status":false,"statusCode":500,"message":"oops"}`).Times(1)).
			Then(answer(http.StatusOK, jsonCT, okJSON))))
	res, err := freeze(context.Background(), c, "acc-1")
	require.NoError(t, err)
	require.Equal(t, 3, res.Attempts)
	require.Equal(t, 3, s.Count())
	for _, r := range s.Requests() {
		b := string(r.Body)
		require.Equal(t, `{"accountId":"acc-1"}`, b)
	}

	c, mt = newMocked(t, staticCreds())
	mt.RegisterResponder(http.MethodPost, freezeAt, answer(http.StatusServiceUnavailable, "", ""))
	_, err = freeze(context.Background(), c, "acc-1")
	require.ErrorIs(t, err, restrict.ErrUnavailable)
	require.Equal(t, 3, testkit.RequireAPIError(t, err, walletplatform.Provider, nil).Attempts)
	require.Equal(t, 3, mt.GetTotalCallCount())

	c, mt = newMocked(t, staticCreds())
	mt.RegisterResponder(http.MethodPost, freezeAt, answer(http.StatusBadRequest, xmlCT, docXML400))
	_, err = freeze(context.Background(), c, "acc-1")
	require.ErrorIs(t, err, restrict.ErrInvalidRequest)
	require.Equal(t, 1, mt.GetTotalCallCount())
}

// SABI's JSON may carry status and statusCode as strings, as its XML form
// always does: they are read as their values, on success and on refusal.
func TestStatusAndStatusCodeAsStrings(t *testing.T) {
	t.Parallel()
	for name, body := range map[string]string{
		"strings":           `{"status":"true","statusCode":"0","message":"Account freeze successful","data":{}}`,
		"statusCode 200":    `{"status":"true","statusCode":"200","message":"Account freeze successful"}`,
		"empty statusCode":  `{"status":"true","statusCode":"","message":"Account freeze successful"}`,
		"padded":            `{"status":" TRUE ","statusCode":" 0 ","message":"Account freeze successful"}`,
		"values (as ever)":  okJSON,
		"xml (all strings)": strings.Replace(docXMLSuccess, "<message>string</message>\n<data>", "<message>Account freeze successful</message>\n<data>", 1),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMocked(t, staticCreds())
			mt.RegisterResponder(http.MethodPost, freezeAt, answer(http.StatusOK, "", body))
			res, err := freeze(context.Background(), c, "acc-1")
			require.NoError(t, err)
			require.Equal(t, "Account freeze successful", res.Message)
		})
	}
	for _, tc := range []struct {
		name   string
		status int
		body   string
		class  error
	}{
		{"refusal in a 200", 200, `{"status":"false","statusCode":"404","message":"Account id not found"}`, restrict.ErrNotFound},
		{"refusal in a 404", 404, `{"status":"false","statusCode":"404","message":"Account id not found"}`, restrict.ErrNotFound},
		{"refusal in a 400", 400, `{"status":"false","statusCode":"400","message":"Invalid account id"}`, restrict.ErrInvalidRequest},
		{"in-band 401", 200, `{"status":"false","statusCode":"401","message":"Unauthorized"}`, restrict.ErrUnauthorized},
		{"xml refusal in a 200", 200, docXML404, restrict.ErrNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMocked(t, staticCreds(), restrict.WithRetry(restrict.RetryPolicy{MaxAttempts: 1}))
			mt.RegisterResponder(http.MethodPost, freezeAt, answer(tc.status, jsonCT, tc.body))
			_, err := freeze(context.Background(), c, "acc-1")
			require.ErrorIs(t, err, tc.class)
			require.NotContains(t, err.Error(), "unreadable")
		})
	}
}
