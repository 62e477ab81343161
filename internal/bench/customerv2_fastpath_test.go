package bench

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/customerv2"
)

// customerv2Answers are 200 answers to a suspension, and what Restrict
// made of each before customerv2's decoder had a fast path (recorded from
// the code as of commit cec1400). The fast path must not change any.
var customerv2Answers = []struct{ body, want string }{
	{`{"data":{"success":true}}`, "ok:restricted"},
	{` {"data" : { "success" : true } } `, "ok:restricted"},
	{`{"data":{"success":true,"nested":{"success":false}}}`, "ok:restricted"},
	{`{"data":{"a":"}\"{[","success":true},"b":[{"success":false}]}`, "ok:restricted"},
	{`{"data":{}}`, "ok:unknown"},
	{`{"data":{"success":false,"message":"already"}}`, "err:restrict: customerv2 Suspend: HTTP 200: already"},
	{`{"success":false,"data":{"success":true}}`, "err:restrict: customerv2 Suspend: HTTP 200: KunaCore answered \"success\": false"},
	{`{"data":{"succ\u0065ss":false}}`, "err:restrict: customerv2 Suspend: HTTP 200: KunaCore answered \"success\": false"},
	{`{"d\u0061ta":{"success":false}}`, "err:restrict: customerv2 Suspend: HTTP 200: KunaCore answered \"success\": false"},
	{`{"data":{"success":true},"data":{"success":false}}`, "err:restrict: customerv2 Suspend: HTTP 200: KunaCore answered \"success\": false"},
	{`{"data":null}`, "err:restrict: customerv2 Suspend: HTTP 200: unreadable answer: the answer has no \"data\": {\"data\":null}"},
	{`{"DATA":{"success":true}}`, "err:restrict: customerv2 Suspend: HTTP 200: unreadable answer: the answer has no \"data\": {\"DATA\":{\"success\":true}}"},
	{`{"data":[1,2]}`, "err:restrict: customerv2 Suspend: HTTP 200: unreadable answer: malformed JSON: json: cannot unmarshal array into Go value of type customerv2.SuspendResult: {\"data\":[1,2]}"},
	{`{"data":{"success":true}} x`, "err:restrict: customerv2 Suspend: HTTP 200: unreadable answer: the answer is not a JSON object: {\"data\":{\"success\":true}} x"},
	{`{"data":{"success":"yes"}}`, "err:restrict: customerv2 Suspend: HTTP 200: unreadable answer: malformed JSON: json: cannot unmarshal string into Go struct field SuspendResult.success of type bool: {\"data\":{\"success\":\"yes\"}}"},
	{`{"statusCode":404,"message":"gone","data":null}`, "err:restrict: customerv2 Suspend: HTTP 200: gone"},
}

// TestCustomerV2DecodeUnchanged runs Restrict against each recorded
// answer and compares the outcome, error text included.
func TestCustomerV2DecodeUnchanged(t *testing.T) {
	for _, tc := range customerv2Answers {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, tc.body)
		}))
		c, err := customerv2.New(customerv2.Credentials{APIKey: customerv2APIKey}, restrict.WithBaseURL(srv.URL))
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
