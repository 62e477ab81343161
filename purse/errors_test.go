package purse_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/testkit"
	"github.com/restrictkit/restrict/purse"
)

func TestErrorCodes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		status  int
		body    string
		class   error
		code    string
		message string
	}{
		{"000", 500, `{"errorCode":"000","message":"Internal server error"}`, restrict.ErrUnavailable, "000", "Internal server error"},
		{"001", 400, `{"errorCode":"001","message":"Bad request"}`, restrict.ErrInvalidRequest, "001", "Bad request"},
		{"002", 400, `{"errorCode":"002","message":"Invalid api key"}`, restrict.ErrUnauthorized, "002", "Invalid api key"},
		{"003", 400, `{"errorCode":"003","message":"Wrong sign"}`, restrict.ErrUnauthorized, "003", "Wrong sign"},
		{"004", 400, `{"errorCode":"004","message":"Not found"}`, restrict.ErrNotFound, "004", "Not found"},
		{"006", 400, `{"errorCode":"006","message":"Invoice state"}`, restrict.ErrConflict, "006", "Invoice state"},
		{"012", 400, `{"errorCode":"012","message":"Payout state"}`, restrict.ErrConflict, "012", "Payout state"},
		{"016", 400, `{"errorCode":"016","message":"Duplicate idempotency key"}`, restrict.ErrConflict, "016", "Duplicate idempotency key"},
		{"011", 400, `{"errorCode":"011","message":"Invalid timestamp"}`, restrict.ErrInvalidRequest, "011", "Invalid timestamp (the request timestamp was rejected: this client's clock is off"},
		{"011NoMessage", 400, `{"errorCode":"011"}`, restrict.ErrInvalidRequest, "011", "the request timestamp was rejected: this client's clock is off"},
		{"004With200", 200, `{"errorCode":"004","message":"Not found"}`, restrict.ErrNotFound, "004", "Not found"},
		{"001With5xx", 502, `{"errorCode":"001","message":"Bad request"}`, restrict.ErrUnavailable, "001", "Bad request"},
		{"UnknownCode400", 400, `{"errorCode":"099","message":"Something new"}`, restrict.ErrInvalidRequest, "099", "Something new"},
		{"UnknownCode404", 404, `{"errorCode":"099","message":"Something new"}`, restrict.ErrNotFound, "099", "Something new"},
		{"UnknownCode403", 403, `{"errorCode":"099","message":"Something new"}`, restrict.ErrForbidden, "099", "Something new"},
		{"UnknownCode200", 200, `{"errorCode":"099","message":"Something new"}`, restrict.ErrInvalidRequest, "099", "Something new"},
		{"Plain503", 503, `<html>Service Unavailable</html>`, restrict.ErrUnavailable, "", "<html>Service Unavailable</html>"},
		{"Plain401", 401, ``, restrict.ErrUnauthorized, "", ""},
		// Code is Calypso's errorCode only: never the status a web
		// server's error body echoes, nor an errorCode of the wrong type.
		{"Spring400", 400, `{"timestamp":"2026-11-21T10:00:00.000+00:00","status":400,"error":"Bad Request","path":"/x"}`,
			restrict.ErrInvalidRequest, "", `"error":"Bad Request"`},
		{"NumericErrorCode", 400, `{"errorCode":3,"message":"Wrong sign"}`, restrict.ErrInvalidRequest, "", `{"errorCode":3`},
		{"NullErrorCode", 503, `{"errorCode":null,"message":"down"}`, restrict.ErrUnavailable, "", `"message":"down"`},
		// No errorCode: not Calypso's 404, but a web server's for an
		// endpoint it does not have.
		{"Plain404", 404, "404 page not found", restrict.ErrInvalidRequest, "", "no such endpoint: the base URL or path is likely wrong (the answer: 404 page not found)"},
		{"Spring404", 404, `{"timestamp":"2026-11-21T10:00:00.000+00:00","status":404,"error":"Not Found","path":"/api/v1/customer-purse/customer/block"}`,
			restrict.ErrInvalidRequest, "", "no such endpoint: the base URL or path is likely wrong"},
		{"RateLimited", 429, `{"errorCode":"001","message":"Too many requests"}`, restrict.ErrRateLimited, "001", "Too many requests"},
		{"Malformed200", 200, `{"id":`, restrict.ErrUnavailable, "", "unreadable answer"},
		{"Empty200", 200, ``, restrict.ErrUnavailable, "", "unreadable answer: empty body"},
		{"Enveloped200", 200, `{"data":{"id":"` + custID + `","blocked":true}}`, restrict.ErrUnavailable, "", "unreadable answer: no customer id"},
		{"WrongType200", 200, `{"blocked":"yes"}`, restrict.ErrUnavailable, "", "unreadable answer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, _, _ := newMocked(t, []testkit.Answer{{Status: tc.status, Body: tc.body}}, noRetry)
			cust, err := c.BlockCustomer(ctx(), purse.BlockCustomerRequest{CustomerID: custID})
			require.Nil(t, cust)
			require.ErrorIs(t, err, tc.class)
			for _, other := range []error{restrict.ErrInvalidRequest, restrict.ErrUnauthorized, restrict.ErrForbidden, restrict.ErrNotFound,
				restrict.ErrConflict, restrict.ErrRateLimited, restrict.ErrUnavailable, restrict.ErrUnsupported} {
				if other != tc.class {
					require.NotErrorIs(t, err, other)
				}
			}
			var ae *restrict.APIError
			require.True(t, errors.As(err, &ae))
			require.Equal(t, purse.Provider, ae.Provider)
			require.Equal(t, "BlockCustomer", ae.Operation)
			require.Equal(t, tc.status, ae.StatusCode)
			require.Equal(t, tc.code, ae.Code)
			require.Contains(t, ae.Message, tc.message)
			require.Equal(t, 1, ae.Attempts)
			require.NotContains(t, err.Error(), testSecret)
			require.NotContains(t, err.Error(), testKey)
		})
	}
}

func TestRetriesRunOutKeepTheLastAnswer(t *testing.T) {
	t.Parallel()
	c, mt, _ := newMocked(t, []testkit.Answer{{Status: 503, Body: `{"errorCode":"000","message":"Internal server error"}`}}, fastRetry)
	_, err := c.GetCustomer(ctx(), purse.GetCustomerRequest{CustomerID: custID})
	require.ErrorIs(t, err, restrict.ErrUnavailable)
	var ae *restrict.APIError
	require.ErrorAs(t, err, &ae)
	require.Equal(t, 3, ae.Attempts)
	require.Equal(t, "000", ae.Code)
	require.Equal(t, http.StatusServiceUnavailable, ae.StatusCode)
	require.Equal(t, 3, mt.GetTotalCallCount())
}

func TestRetryAfterBeyondMaxWaitIsReported(t *testing.T) {
	t.Parallel()
	c, mt, _ := newMocked(t, []testkit.Answer{{Status: 429, Body: `{"errorCode":"001","message":"slow down"}`, Header: http.Header{"Retry-After": {"3600"}}}}, fastRetry)
	_, err := c.BlockCustomer(ctx(), purse.BlockCustomerRequest{CustomerID: custID})
	require.ErrorIs(t, err, restrict.ErrRateLimited)
	var ae *restrict.APIError
	require.ErrorAs(t, err, &ae)
	require.Equal(t, time.Hour, ae.RetryAfter)
	require.Equal(t, 1, mt.GetTotalCallCount())
}
