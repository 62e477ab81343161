package customerv2_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/transport"
)

func TestErrorShapes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		status  int
		body    string
		class   error
		code    string
		message string
		fields  map[string][]string
	}{
		{"validation list", 400,
			`{"statusCode":400,"message":["email must be an email","country must be a valid ISO31661 Alpha2 code","property foo should not exist"],"error":"Bad Request"}`,
			restrict.ErrInvalidRequest, "Bad Request",
			"email must be an email; country must be a valid ISO31661 Alpha2 code; property foo should not exist",
			map[string][]string{"email": {"email must be an email"}, "country": {"country must be a valid ISO31661 Alpha2 code"}, "foo": {"property foo should not exist"}}},
		{"single string", 404, `{"statusCode":404,"message":"Customer not found","error":"Not Found"}`,
			restrict.ErrNotFound, "Not Found", "Customer not found", nil},
		{"default 401 without error", 401, `{"statusCode":401,"message":"Unauthorized"}`,
			restrict.ErrUnauthorized, "", "Unauthorized", nil},
		{"forbidden", 403, `{"statusCode":403,"message":"Forbidden resource","error":"Forbidden"}`,
			restrict.ErrForbidden, "Forbidden", "Forbidden resource", nil},
		{"conflict", 409, `{"statusCode":409,"message":"Customer with this email already exists","error":"Conflict"}`,
			restrict.ErrConflict, "Conflict", "Customer with this email already exists", nil},
		{"error only", 400, `{"statusCode":400,"error":"Bad Request"}`,
			restrict.ErrInvalidRequest, "Bad Request", "Bad Request", nil},
		{"422 falls back by status", 422, `{"statusCode":422,"message":"Unprocessable"}`,
			restrict.ErrInvalidRequest, "", "Unprocessable", nil},
		{"500 NestJS", 500, `{"statusCode":500,"message":"Internal server error"}`,
			restrict.ErrUnavailable, "", "Internal server error", nil},
		{"plain text kept", 400, `upstream said no`,
			restrict.ErrInvalidRequest, "", "upstream said no", nil},
		{"html kept short", 404, "<html><body>" + string(make([]byte, 0)) + "Not here</body></html>",
			restrict.ErrInvalidRequest, "", transport.WrongAddress + " (the answer: <html><body>Not here</body></html>)", nil},
		// Not KunaCore's answers: the address is wrong, not the customer.
		{"NestJS unknown route", 404, `{"statusCode":404,"message":"Cannot POST /v2/customer/detail","error":"Not Found"}`,
			restrict.ErrInvalidRequest, "", transport.WrongAddress + " (the answer: Cannot POST /v2/customer/detail)", nil},
		{"Go mux", 404, "404 page not found\n", restrict.ErrInvalidRequest, "", transport.WrongAddress + " (the answer: 404 page not found)", nil},
		{"other JSON kept", 409, `{"reason":"dup"}`,
			restrict.ErrConflict, "", `{"reason":"dup"}`, nil},
		{"empty body", 403, ``, restrict.ErrForbidden, "", "", nil},
		{"top-level success false on 200", 200, `{"success":false,"message":"Wallet is blocked"}`,
			restrict.ErrConflict, "", "Wallet is blocked", nil},
		{"data.success false on 200", 200, `{"data":{"success":false}}`,
			restrict.ErrConflict, "", `KunaCore answered "success": false`, nil},
		{"data.success false, outer message", 201, `{"data":{"success":false},"message":"already suspended"}`,
			restrict.ErrConflict, "", "already suspended", nil},
		{"NestJS body with 200", 200, `{"statusCode":404,"message":"Customer not found","error":"Not Found"}`,
			restrict.ErrNotFound, "Not Found", "Customer not found", nil},
		{"429 forced by the transport", 429, `{"statusCode":429,"message":"ThrottlerException: Too Many Requests"}`,
			restrict.ErrRateLimited, "", "ThrottlerException: Too Many Requests", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mt, rec := newMock(t, keyCreds, restrict.WithRetry(restrict.RetryPolicy{MaxAttempts: 1}))
			respond(mt, rec, "/v2/customer/suspend", tc.status, tc.body)
			res, err := c.Suspend(bg(), "6d962783-f0cf-420d-a511-3a48c71c5595")
			require.Nil(t, res)
			ae := requireAPIError(t, err, tc.class)
			require.Equal(t, "customerv2", ae.Provider)
			require.Equal(t, "Suspend", ae.Operation)
			require.Equal(t, tc.status, ae.StatusCode)
			require.Equal(t, tc.code, ae.Code)
			require.Equal(t, tc.message, ae.Message)
			require.Equal(t, tc.fields, ae.Fields)
			require.NotContains(t, err.Error(), string(keyCreds.APIKey))
		})
	}
}

func TestUnreadableAnswers(t *testing.T) {
	t.Parallel()
	for name, body := range map[string]string{
		"empty":        ``,
		"not JSON":     `<html>ok</html>`,
		"array":        `[1,2]`,
		"no data":      `{"ok":true}`,
		"null data":    `{"data":null}`,
		"wrong type":   `{"data":{"success":"yes"}}`,
		"cut short":    `{"data":{"succ`,
		"string data":  `{"data":"done"}`,
		"success true": `{"success":true}`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, mt, rec := newMock(t, keyCreds)
			respond(mt, rec, "/v2/customer/suspend", http.StatusOK, body)
			_, err := c.Suspend(bg(), "6d962783-f0cf-420d-a511-3a48c71c5595")
			ae := requireAPIError(t, err, restrict.ErrUnavailable)
			require.Equal(t, http.StatusOK, ae.StatusCode)
			require.Contains(t, ae.Message, "unreadable answer")
			require.Len(t, rec.all(), 1, "an unreadable 200 is not retried")
		})
	}
}
