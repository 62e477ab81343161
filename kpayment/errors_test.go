package kpayment_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/testkit"
	"github.com/restrictkit/restrict/kpayment"
)

func TestErrorShapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		status      int
		body        string
		contentType string
		class       error
		code        string
		inMessage   []string
		// notInMessage must appear nowhere in the error.
		notInMessage []string
	}{
		{
			name:   "errors list, wrong credential",
			status: 401, contentType: "*/*",
			body:  `{"errors":[{"errorCode":100003,"errorTitle":"WRONG_CREDENTIAL","errorMessage":"Wrong credentials","errorDescription":"Username or password is wrong"}],"warnings":[]}`,
			class: restrict.ErrUnauthorized, code: "100003",
			inMessage: []string{"WRONG_CREDENTIAL", "Wrong credentials", "Username or password is wrong"},
		},
		{
			name:   "errors list, null credentials without title",
			status: 401, contentType: "*/*",
			body:  `{"errors":[{"errorCode":100001}]}`,
			class: restrict.ErrUnauthorized, code: "100001", inMessage: []string{"NULL_CREDENTIALS"},
		},
		{
			name:   "errors list, request not authorized",
			status: 401, body: `{"errors":[{"errorCode":100004,"errorTitle":"REQUEST_NOT_AUTHORIZED"}]}`,
			class: restrict.ErrUnauthorized, code: "100004", inMessage: []string{"REQUEST_NOT_AUTHORIZED"},
		},
		{
			name:   "invalid dealer token answered 400 is still unauthorized",
			status: 400, body: `{"errors":[{"errorCode":100010}]}`,
			class: restrict.ErrUnauthorized, code: "100010", inMessage: []string{"INVALID_DEALER_TOKEN"},
		},
		{
			name:   "invalid department token",
			status: 401, body: `{"errors":[{"errorCode":100013}]}`,
			class: restrict.ErrUnauthorized, code: "100013", inMessage: []string{"INVALID_DEPARTMENT_TOKEN"},
		},
		{
			name:   "access forbidden answered 401",
			status: 401, body: `{"errors":[{"errorCode":100002,"errorTitle":"ACCESS_FORBIDDEN","errorMessage":"no scope payment.customer.block"}]}`,
			class: restrict.ErrForbidden, code: "100002", inMessage: []string{"ACCESS_FORBIDDEN", "payment.customer.block"},
		},
		{
			name:   "invalid partner 100008",
			status: 403, body: `{"errors":[{"errorCode":100008}]}`,
			class: restrict.ErrForbidden, code: "100008", inMessage: []string{"ACCESS_FORBIDDEN_INVALID_PARTNER"},
		},
		{
			name:   "invalid partner 100009",
			status: 400, body: `{"errors":[{"errorCode":100009}]}`,
			class: restrict.ErrForbidden, code: "100009", inMessage: []string{"ACCESS_FORBIDDEN_INVALID_PARTNER"},
		},
		{
			name:   "invalid scope dealer",
			status: 400, body: `{"errors":[{"errorCode":100011}]}`,
			class: restrict.ErrForbidden, code: "100011", inMessage: []string{"INVALID_SCOPE_DEALER"},
		},
		{
			name:   "invalid scope department",
			status: 401, body: `{"errors":[{"errorCode":100014}]}`,
			class: restrict.ErrForbidden, code: "100014", inMessage: []string{"INVALID_SCOPE_DEPARTMENT"},
		},
		{
			name:   "invalid request data",
			status: 400, contentType: "*/*",
			body:  `{"errors":[{"errorCode":100006,"errorTitle":"INVALID_REQUEST_DATA","errorMessage":"customerUuid is invalid","errorDescription":"customerUuid is invalid"}],"warnings":[{"warningCode":150000,"warningTitle":"NO_PREFERRED_DEALER_ID"}]}`,
			class: restrict.ErrInvalidRequest, code: "100006", inMessage: []string{"INVALID_REQUEST_DATA: customerUuid is invalid"},
			// Warnings beside an error are not kept: APIError has no
			// place for them.
			notInMessage: []string{"NO_PREFERRED_DEALER_ID", "150000"},
		},
		{
			name:   "internal exception",
			status: 500, body: `{"errors":[{"errorCode":100005,"errorTitle":"INTERNAL_SERVER_EXCEPTION"}]}`,
			class: restrict.ErrUnavailable, code: "100005", inMessage: []string{"INTERNAL_SERVER_EXCEPTION"},
		},
		{
			name:   "internal error answered 400 is still unavailable",
			status: 400, body: `{"errors":[{"errorCode":100007}]}`,
			class: restrict.ErrUnavailable, code: "100007", inMessage: []string{"INTERNAL_SERVER_ERROR"},
		},
		{
			name:   "unknown code falls back on the status",
			status: 404, body: `{"errors":[{"errorCode":120404,"errorTitle":"CUSTOMER_NOT_FOUND","errorMessage":"no such customer"}]}`,
			class: restrict.ErrNotFound, code: "120404", inMessage: []string{"CUSTOMER_NOT_FOUND", "no such customer"},
		},
		{
			name:   "the first known code decides, every error is listed",
			status: 400, body: `{"errors":[{"errorCode":1,"errorTitle":"FIRST"},{"errorCode":100011,"errorTitle":"INVALID_SCOPE_DEALER"}]}`,
			class: restrict.ErrForbidden, code: "100011", inMessage: []string{"FIRST; INVALID_SCOPE_DEALER"},
		},
		{
			name:   "string-coded shape with the name",
			status: 400, contentType: "*/*",
			body:  `{"error":{"errorCode":"INVALID_REQUEST_DATA","errorDescription":"invoiceGUID is malformed"},"warnings":[{"warningCode":"NO_PREFERRED_DEALER_ID","warningDescription":"x"}]}`,
			class: restrict.ErrInvalidRequest, code: "INVALID_REQUEST_DATA", inMessage: []string{"INVALID_REQUEST_DATA: invoiceGUID is malformed"},
		},
		{
			name:   "string-coded shape with the number",
			status: 401, body: `{"error":{"errorCode":"100003","errorDescription":"bad password"}}`,
			class: restrict.ErrUnauthorized, code: "100003", inMessage: []string{"WRONG_CREDENTIAL: bad password"},
		},
		{
			name:   "string-coded shape, name in another case",
			status: 401, body: `{"error":{"errorCode":"access_forbidden","errorDescription":"nope"}}`,
			class: restrict.ErrForbidden, code: "access_forbidden", inMessage: []string{"ACCESS_FORBIDDEN", "nope"},
		},
		{
			name:   "string-coded shape, unknown code",
			status: 422, body: `{"error":{"errorCode":"PAYMENT_URL_EXPIRED","errorDescription":"expired"}}`,
			class: restrict.ErrInvalidRequest, code: "PAYMENT_URL_EXPIRED", inMessage: []string{"PAYMENT_URL_EXPIRED", "expired"},
		},
		{
			name:   "an error with HTTP 200 is an error",
			status: 200, contentType: "application/json",
			body:  `{"errors":[{"errorCode":100002,"errorTitle":"ACCESS_FORBIDDEN"}]}`,
			class: restrict.ErrForbidden, code: "100002", inMessage: []string{"ACCESS_FORBIDDEN"},
		},
		{
			name:   "string-coded error with HTTP 200",
			status: 200, body: `{"error":{"errorCode":"100006","errorDescription":"bad"}}`,
			class: restrict.ErrInvalidRequest, code: "100006", inMessage: []string{"INVALID_REQUEST_DATA: bad"},
		},
		{
			name:   "Spring default error page: error is a string",
			status: 404, contentType: "application/json",
			body: `{"timestamp":"2026-11-21T10:00:00.000+00:00","status":404,"error":"Not Found","path":"/payment/kpayment/v1/customer/x/block"}`,
			// Spring's page for a path it does not serve: the address is
			// wrong, not the customer.
			class: restrict.ErrInvalidRequest, inMessage: []string{"base URL or path is likely wrong", "Not Found"},
		},
		{
			name:   "myKaarma's envelope with a 404",
			status: 404, contentType: "application/json",
			body:  `{"errors":[{"errorCode":100404,"errorTitle":"CUSTOMER_NOT_FOUND","errorMessage":"no such customer"}]}`,
			class: restrict.ErrNotFound, code: "100404", inMessage: []string{"CUSTOMER_NOT_FOUND"},
		},
		{
			name:   "HTML from a proxy",
			status: 502, contentType: "text/html",
			body:  "<html><body><h1>502 Bad Gateway</h1></body></html>",
			class: restrict.ErrUnavailable, inMessage: []string{"502 Bad Gateway"},
		},
		{
			name:   "empty body",
			status: 403, body: "",
			class: restrict.ErrForbidden,
		},
		{
			name:   "empty errors list",
			status: 400, body: `{"errors":[],"warnings":[]}`,
			class: restrict.ErrInvalidRequest,
		},
		{
			name:   "errors of the wrong type",
			status: 401, body: `{"errors":"denied"}`,
			class: restrict.ErrUnauthorized, inMessage: []string{"denied"},
		},
		{
			name:   "code of the wrong type",
			status: 400, body: `{"errors":[{"errorCode":true,"errorTitle":"X"}]}`,
			class: restrict.ErrInvalidRequest,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, _, _ := newMocked(t, basicCreds, []testkit.Answer{{Status: tt.status, Body: tt.body, ContentType: tt.contentType}},
				restrict.WithRetry(restrict.RetryPolicy{MaxAttempts: 1}))
			res, err := c.BlockCustomer(context.Background(), custUUID, kpayment.BlockCustomerRequest{})
			require.Nil(t, res)
			ae := testkit.RequireAPIError(t, err, kpayment.Provider, tt.class)
			require.Equal(t, "BlockCustomer", ae.Operation)
			require.Equal(t, tt.status, ae.StatusCode)
			require.Equal(t, tt.code, ae.Code)
			require.Equal(t, 1, ae.Attempts)
			for _, s := range tt.inMessage {
				require.Contains(t, ae.Message, s)
				require.Contains(t, err.Error(), s)
			}
			for _, s := range tt.notInMessage {
				require.NotContains(t, err.Error(), s)
			}
			require.NotContains(t, err.Error(), testPass)
		})
	}
}

// Every code of myKaarma's table decides the class, whatever the status
// and in each of the three ways it travels: a number in the errors list, a
// name or a number as a string in the single-error shape. APIError.Code is
// the code as sent. The warning code 150000 is no error class: the status
// decides then.
func TestEveryDocumentedCode(t *testing.T) {
	t.Parallel()
	table := []struct {
		number int
		name   string
		class  error
	}{
		{100001, "NULL_CREDENTIALS", restrict.ErrUnauthorized},
		{100002, "ACCESS_FORBIDDEN", restrict.ErrForbidden},
		{100003, "WRONG_CREDENTIAL", restrict.ErrUnauthorized},
		{100004, "REQUEST_NOT_AUTHORIZED", restrict.ErrUnauthorized},
		{100005, "INTERNAL_SERVER_EXCEPTION", restrict.ErrUnavailable},
		{100006, "INVALID_REQUEST_DATA", restrict.ErrInvalidRequest},
		{100007, "INTERNAL_SERVER_ERROR", restrict.ErrUnavailable},
		{100008, "ACCESS_FORBIDDEN_INVALID_PARTNER", restrict.ErrForbidden},
		{100009, "ACCESS_FORBIDDEN_INVALID_PARTNER", restrict.ErrForbidden},
		{100010, "INVALID_DEALER_TOKEN", restrict.ErrUnauthorized},
		{100011, "INVALID_SCOPE_DEALER", restrict.ErrForbidden},
		{100013, "INVALID_DEPARTMENT_TOKEN", restrict.ErrUnauthorized},
		{100014, "INVALID_SCOPE_DEPARTMENT", restrict.ErrForbidden},
		{150000, "NO_PREFERRED_DEALER_ID", restrict.ErrConflict}, // a warning code: HTTP 409 decides
	}
	for _, e := range table {
		number := strconv.Itoa(e.number)
		for _, body := range []struct{ code, json string }{
			{number, `{"errors":[{"errorCode":` + number + `}],"warnings":[]}`},
			{e.name, `{"error":{"errorCode":"` + e.name + `","errorDescription":"d"},"warnings":[]}`},
			{number, `{"error":{"errorCode":"` + number + `","errorDescription":"d"}}`},
		} {
			t.Run(body.json, func(t *testing.T) {
				t.Parallel()
				c, _, _ := newMocked(t, basicCreds, []testkit.Answer{{Status: http.StatusConflict, Body: body.json, ContentType: "*/*"}},
					restrict.WithRetry(restrict.RetryPolicy{MaxAttempts: 1}))
				_, err := c.BlockCustomer(context.Background(), custUUID, kpayment.BlockCustomerRequest{})
				ae := testkit.RequireAPIError(t, err, kpayment.Provider, e.class)
				require.Equal(t, body.code, ae.Code)
				if e.class != restrict.ErrConflict || body.code == e.name {
					require.Contains(t, ae.Message, e.name, "the message names the code")
				}
			})
		}
	}
}

func TestErrorsNeverCarrySecrets(t *testing.T) {
	t.Parallel()
	// A provider that echoes what it received must not leak it through us.
	for _, tc := range []struct {
		creds kpayment.Credentials
		echo  []string
	}{
		{basicCreds, []string{testPass, "c3Vic2NyaWJlcjpzM2NyZXQtcHc="}},
		{kpayment.Credentials{Token: testToken}, []string{testToken}},
	} {
		for _, echoed := range tc.echo {
			c, _, _ := newMocked(t, tc.creds, []testkit.Answer{{Status: 401, Body: `{"errors":[{"errorCode":100003,"errorTitle":"WRONG_CREDENTIAL","errorMessage":"bad ` +
				echoed + `","errorDescription":"Authorization: Basic ` + echoed + `"}]}`}})
			_, err := c.BlockCustomer(context.Background(), custUUID, kpayment.BlockCustomerRequest{})
			ae := testkit.RequireAPIError(t, err, kpayment.Provider, restrict.ErrUnauthorized)
			require.NotContains(t, err.Error(), echoed)
			require.NotContains(t, ae.Message, echoed)
			require.Contains(t, ae.Message, "[REDACTED]")
		}
	}
}

func TestSuccessWarnings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
		want []kpayment.Warning
	}{
		{"none", `{}`, nil},
		{"empty list", `{"warnings":[]}`, []kpayment.Warning{}},
		{"numeric shape", `{"warnings":[{"warningCode":150000,"warningTitle":"NO_PREFERRED_DEALER_ID","warningMessage":"m","warningDescription":"d"}]}`,
			[]kpayment.Warning{{Code: "150000", Title: "NO_PREFERRED_DEALER_ID", Message: "m", Description: "d"}}},
		{"string shape", `{"warnings":[{"warningCode":"NO_PREFERRED_DEALER_ID","warningDescription":"dealer unknown"},{"warningCode":null}]}`,
			[]kpayment.Warning{{Code: "NO_PREFERRED_DEALER_ID", Description: "dealer unknown"}, {}}},
		{"other members are ignored", `{"status":"ok","warnings":[{"warningCode":1}]}`, []kpayment.Warning{{Code: "1"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, _, _ := newMocked(t, basicCreds, []testkit.Answer{{Status: 200, Body: tt.body, ContentType: "application/json"}})
			res, err := c.BlockCustomer(context.Background(), custUUID, kpayment.BlockCustomerRequest{})
			require.NoError(t, err)
			require.Equal(t, tt.want, res.Warnings)
			require.Equal(t, http.StatusOK, res.StatusCode)
		})
	}
}

// Warnings are the provider's text: one that echoes the credentials is
// scrubbed, in the result and in the Warn log line alike.
func TestSuccessWarningsAreScrubbed(t *testing.T) {
	t.Parallel()
	basic := base64.StdEncoding.EncodeToString([]byte(testUser + ":" + testPass))
	body := fmt.Sprintf(`{"warnings":[{"warningCode":%q,"warningTitle":"ECHO","warningMessage":"Basic %s","warningDescription":"password %s"}]}`,
		testPass, basic, url.QueryEscape(testPass))
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, _, _ := newMocked(t, basicCreds, []testkit.Answer{{Status: 200, Body: body}, {Status: 200, Body: body}}, restrict.WithLogger(logger))
	res, err := c.BlockCustomer(context.Background(), custUUID, kpayment.BlockCustomerRequest{})
	require.NoError(t, err)
	_, err = c.Restrict(context.Background(), restrict.Target{ID: custUUID})
	require.NoError(t, err)
	out := fmt.Sprintf("%+v", res.Warnings) + buf.String()
	require.Contains(t, buf.String(), `"level":"WARN"`)
	for _, secret := range []string{testPass, basic, url.QueryEscape(testPass)} {
		require.NotContains(t, out, secret)
	}
	require.Equal(t, "[REDACTED]", res.Warnings[0].Message)
}

func TestUnreadableSuccess(t *testing.T) {
	t.Parallel()
	for _, body := range []string{"", "null", "[]", `"ok"`, "{", "<html>ok</html>", `{"warnings":"x"}`} {
		t.Run(body, func(t *testing.T) {
			t.Parallel()
			c, _, _ := newMocked(t, basicCreds, []testkit.Answer{{Status: 200, Body: body}}, restrict.WithRetry(restrict.RetryPolicy{MaxAttempts: 1}))
			_, err := c.BlockCustomer(context.Background(), custUUID, kpayment.BlockCustomerRequest{})
			ae := testkit.RequireAPIError(t, err, kpayment.Provider, restrict.ErrUnavailable)
			require.Equal(t, 200, ae.StatusCode)
			require.Contains(t, ae.Message, "unreadable answer")
		})
	}
}
