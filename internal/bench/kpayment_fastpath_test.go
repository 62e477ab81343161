package bench

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/kpayment"
)

// kpaymentAnswers are answers to a block-customer call (HTTP status, body), and what
// Restrict made of each before kpayment's decoder had a fast path
// (recorded from the code as of commit b5a2024). They must not change.
var kpaymentAnswers = []struct {
	status     int
	body, want string
}{
	{200, `{}`, "ok:restricted"},
	{200, `{"warnings":[{"warningCode":150000,"warningTitle":"NO_PREFERRED_DEALER_ID"}]}`, "ok:restricted"},
	{400, `{"errors":[{"errorCode":100006,"errorTitle":"INVALID_REQUEST_DATA","errorMessage":"bad","errorDescription":"bad uuid"}],"warnings":[]}`, "err:restrict: kpayment BlockCustomer: HTTP 400 code \"100006\": INVALID_REQUEST_DATA: bad: bad uuid"},
	{200, `{"ERRORS":[{"errorCode":100003}]}`, "err:restrict: kpayment BlockCustomer: HTTP 200 code \"100003\": WRONG_CREDENTIAL"},
	{200, "{\"errorſ\":[{\"errorCode\":100003}]}", "err:restrict: kpayment BlockCustomer: HTTP 200 code \"100003\": WRONG_CREDENTIAL"},
	{200, `{"err\u006frs":[{"errorCode":100003}]}`, "err:restrict: kpayment BlockCustomer: HTTP 200 code \"100003\": WRONG_CREDENTIAL"},
	{200, `{"errors":[{"errorCode":100003}],"errors":[]}`, "ok:restricted"},
	{401, `{"error":{"errorCode":"WRONG_CREDENTIAL","errorDescription":"nope"}}`, "err:restrict: kpayment BlockCustomer: HTTP 401 code \"WRONG_CREDENTIAL\": WRONG_CREDENTIAL: nope"},
	{404, `{"timestamp":"x","status":404,"error":"Not Found","path":"/x"}`, "err:restrict: kpayment BlockCustomer: HTTP 404: no such endpoint: the base URL or path is likely wrong (the answer: {\"timestamp\":\"x\",\"status\":404,\"error\":\"Not Found\",\"path\":\"/x\"})"},
	{200, `[]`, "err:restrict: kpayment BlockCustomer: HTTP 200: unreadable answer: the answer is not a JSON object: []"},
	{200, ``, "err:restrict: kpayment BlockCustomer: HTTP 200: unreadable answer: empty body"},
	{200, `{} x`, "err:restrict: kpayment BlockCustomer: HTTP 200: unreadable answer: the answer is not a JSON object: {} x"},
	{500, `<html>oops</html>`, "err:restrict: kpayment BlockCustomer: HTTP 500: <html>oops</html>"},
	{200, `{"errors":null}`, "ok:restricted"},
	{200, `{"errors":[{}]}`, "ok:restricted"},
	{200, ` { "Error" : { "errorCode" : 100002 } } `, "err:restrict: kpayment BlockCustomer: HTTP 200 code \"100002\": ACCESS_FORBIDDEN"},
}

// TestKPaymentDecodeUnchanged runs Restrict against each recorded answer
// and compares the outcome, error text included.
func TestKPaymentDecodeUnchanged(t *testing.T) {
	for _, tc := range kpaymentAnswers {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(tc.status)
			_, _ = io.WriteString(w, tc.body)
		}))
		c, err := kpayment.New(kpayment.Credentials{Username: kpaymentUser, Password: kpaymentPassword},
			restrict.WithBaseURL(srv.URL+"/payment"), restrict.WithRetry(restrict.RetryPolicy{MaxAttempts: 1}))
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
