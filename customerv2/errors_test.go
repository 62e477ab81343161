package customerv2_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/customerv2"
	"github.com/restrictkit/restrict/internal/testkit"
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
			restrict.ErrInvalidRequest, "",
			"email must be an email; country must be a valid ISO31661 Alpha2 code; property foo should not exist",
			map[string][]string{"email": {"email must be an email"}, "country": {"country must be a valid ISO31661 Alpha2 code"}, "foo": {"property foo should not exist"}}},
		{"single string", 404, `{"statusCode":404,"message":"Customer not found","error":"Not Found"}`,
			restrict.ErrNotFound, "", "Customer not found", nil},
		{"default 401 without error", 401, `{"statusCode":401,"message":"Unauthorized"}`,
			restrict.ErrUnauthorized, "", "Unauthorized", nil},
		{"forbidden", 403, `{"statusCode":403,"message":"Forbidden resource","error":"Forbidden"}`,
			restrict.ErrForbidden, "", "Forbidden resource", nil},
		{"conflict", 409, `{"statusCode":409,"message":"Customer with this email already exists","error":"Conflict"}`,
			restrict.ErrConflict, "", "Customer with this email already exists", nil},
		{"error only", 400, `{"statusCode":400,"error":"Bad Request"}`,
			restrict.ErrInvalidRequest, "", "Bad Request", nil},
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
			restrict.ErrConflict, "", `KunaCore did not answer "success": true`, nil},
		{"data.success missing on 200", 200, `{"data":{}}`,
			restrict.ErrConflict, "", `KunaCore did not answer "success": true`, nil},
		{"data.success false, outer message", 201, `{"data":{"success":false},"message":"already suspended"}`,
			restrict.ErrConflict, "", "already suspended", nil},
		{"NestJS body with 200", 200, `{"statusCode":404,"message":"Customer not found","error":"Not Found"}`,
			restrict.ErrNotFound, "", "Customer not found", nil},
		{"NestJS unknown route with 200", 200, `{"statusCode":404,"message":"Cannot POST /v2/customer/suspend","error":"Not Found"}`,
			restrict.ErrInvalidRequest, "", transport.WrongAddress + " (the answer: Cannot POST /v2/customer/suspend)", nil},
		{"Spring 404", 404, `{"timestamp":"2026-11-30T10:00:00.000+00:00","status":404,"error":"Not Found","path":"/api/x"}`,
			restrict.ErrInvalidRequest, "", transport.WrongAddress, nil},
		{"404 message without statusCode", 404, `{"message":"Customer not found"}`,
			restrict.ErrInvalidRequest, "", transport.WrongAddress + " (the answer: Customer not found)", nil},
		{"odd message kept as JSON", 400, `{"statusCode":400,"message":{"nested":1}}`,
			restrict.ErrInvalidRequest, "", `{"nested":1}`, nil},
		{"odd list entries kept as JSON", 400, `{"statusCode":400,"message":[null,1,"property x should not exist"]}`,
			restrict.ErrInvalidRequest, "", `1; property x should not exist`, map[string][]string{"": {"1"}, "x": {"property x should not exist"}}},
		{"statusCode not a number", 400, `{"statusCode":"400","message":"bad"}`,
			restrict.ErrInvalidRequest, "", `{"statusCode":"400","message":"bad"}`, nil},
		{"in-band 400 list", 201, `{"statusCode":400,"message":["id must be a UUID"],"error":"Bad Request"}`,
			restrict.ErrInvalidRequest, "", "id must be a UUID", map[string][]string{"id": {"id must be a UUID"}}},
		{"429 forced by the transport", 429, `{"statusCode":429,"message":"ThrottlerException: Too Many Requests"}`,
			restrict.ErrRateLimited, "", "ThrottlerException: Too Many Requests", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mt, rec := newMock(t, keyCreds, restrict.WithRetry(restrict.RetryPolicy{MaxAttempts: 1}))
			respond(mt, rec, "/v2/customer/suspend", tc.status, tc.body)
			res, err := c.Suspend(bg(), customerv2.SuspendRequest{ID: customerID})
			require.Nil(t, res)
			ae := testkit.RequireAPIError(t, err, customerv2.Provider, tc.class)
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
		"null":         `null`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, mt, rec := newMock(t, keyCreds)
			respond(mt, rec, "/v2/customer/suspend", http.StatusOK, body)
			_, err := c.Suspend(bg(), customerv2.SuspendRequest{ID: customerID})
			ae := testkit.RequireAPIError(t, err, customerv2.Provider, restrict.ErrUnavailable)
			require.Equal(t, http.StatusOK, ae.StatusCode)
			require.Contains(t, ae.Message, "unreadable answer")
			require.Len(t, rec.Requests(), 1, "an unreadable 200 is not retried")
		})
	}
}
