package bench

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/cryptomus"
)

// cryptomusAnswers are answers to a block (HTTP status, body), and what
// Restrict made of each before cryptomus' decoder had a fast path
// (recorded from the code as of commit b5a2024). They must not change.
var cryptomusAnswers = []struct {
	status     int
	body, want string
}{
	{200, `{"state":0,"result":{"uuid":"fcc40793-39f9-4fa9-85b2-93148039a72b","status":"blocked"}}`, "ok:restricted"},
	{200, `{"STATE":0,"Result":{"uuid":"u","status":"active"}}`, "ok:active"},
	{200, "{\"state\":0,\"result\":{\"status\":\"blocked\"},\"ſtate\":1,\"message\":\"long s\"}", "err:restrict: cryptomus BlockAddress: HTTP 200: long s"},
	{200, `{"state":0,"result":{"status":"blocked"},"st\u0061te":1,"message":"escaped"}`, "err:restrict: cryptomus BlockAddress: HTTP 200: escaped"},
	{200, `{"state":0,"state":1,"message":"Not found"}`, "err:restrict: cryptomus BlockAddress: HTTP 200: Not found"},
	{200, `{"state":"0","result":{"uuid":"u","status":"blocked"}}`, "ok:restricted"},
	{200, `{"state":0,"result":null}`, "err:restrict: cryptomus BlockAddress: HTTP 200: unreadable answer: state 0 without a result: {\"state\":0,\"result\":null}"},
	{200, `{"state":0}`, "err:restrict: cryptomus BlockAddress: HTTP 200: unreadable answer: state 0 without a result: {\"state\":0}"},
	{422, `{"state":1,"errors":{"uuid":["validation.required_without"]}}`, "err:restrict: cryptomus BlockAddress: HTTP 422: validation failed; uuid: validation.required_without"},
	{200, `{"state":1,"message":"Invalid Sign."}`, "err:restrict: cryptomus BlockAddress: HTTP 200: Invalid Sign."},
	{500, `{"message":"Server error, #1","code":500,"error":null}`, "err:restrict: cryptomus BlockAddress: HTTP 500 code \"500\": Server error, #1"},
	{200, `[]`, "err:restrict: cryptomus BlockAddress: HTTP 200: unreadable answer: malformed JSON: []"},
	{200, ``, "err:restrict: cryptomus BlockAddress: HTTP 200: unreadable answer: empty body"},
	{502, `<html>bad gateway</html>`, "err:restrict: cryptomus BlockAddress: HTTP 502: <html>bad gateway</html>"},
	{200, `{"state":0,"result":{"status":"blocked"}} x`, "err:restrict: cryptomus BlockAddress: HTTP 200: unreadable answer: malformed JSON: {\"state\":0,\"result\":{\"status\":\"blocked\"}} x"},
	{200, ` {"state" : 0 , "result" : {"uuid":"u","status":"blocked"} } `, "ok:restricted"},
	{200, `{"state":0,"result":{"status":"blocked","uuid":"}{\""}}`, "ok:restricted"},
	{200, `{"state":0,"result":{"status":"in_active"},"errors":[]}`, "ok:unknown"},
	{200, `{"result":{"status":"blocked"}}`, "err:restrict: cryptomus BlockAddress: HTTP 200: unreadable answer: answer without state: {\"result\":{\"status\":\"blocked\"}}"},
}

// TestCryptomusDecodeUnchanged runs Restrict against each recorded answer
// and compares the outcome, error text included.
func TestCryptomusDecodeUnchanged(t *testing.T) {
	for _, tc := range cryptomusAnswers {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(tc.status)
			_, _ = io.WriteString(w, tc.body)
		}))
		c, err := cryptomus.New(cryptomus.Credentials{MerchantID: cryptomusMerchant, PaymentKey: cryptomusKey},
			restrict.WithBaseURL(srv.URL), restrict.WithRetry(restrict.RetryPolicy{MaxAttempts: 1}))
		require.NoError(t, err)
		res, err := c.Restrict(context.Background(), restrict.Target{ID: targetID})
		srv.Close()
		got := ""
		if err != nil {
			got = "err:" + err.Error()
		} else {
			got = "ok:" + string(res.State)
		}
		require.Equal(t, tc.want, got, tc.body)
	}
}
