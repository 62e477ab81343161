package bench

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/walletplatform"
)

// walletAnswers are answers to a freeze (HTTP status, body), and what
// FreezeAccount made of each before walletplatform's decoder had its fast
// paths (recorded from the code as of commit b5a2024). They must not
// change.
var walletAnswers = []struct {
	status     int
	body, want string
}{
	{200, `{"status":true,"statusCode":0,"message":"Account freeze successful","data":{},"errors":[]}`, "ok:Account freeze successful|"},
	{200, `{"status":true,"statusCode":0,"message":"ok","data":{"uuid":"u-1","status":"FROZEN"}}`, "ok:ok|{\"uuid\":\"u-1\",\"status\":\"FROZEN\"}"},
	{200, ` {"status":"true","statusCode":"0","message":["a","b"],"data":{"a":1}} `, "ok:a; b|{\"a\":1}"},
	{200, `{"status":false,"statusCode":400,"message":"Invalid account id","errors":[{"message":"Invalid account id","descriptiveMessage":"bad"}]}`, "err:restrict: walletplatform FreezeAccount: HTTP 200 code \"400\": Invalid account id; bad"},
	{200, `{"st\u0061tus":false,"message":"x"}`, "err:restrict: walletplatform FreezeAccount: HTTP 200: x"},
	{200, `{"status":true,"status":false,"message":"dup"}`, "err:restrict: walletplatform FreezeAccount: HTTP 200: dup"},
	{200, `{"Status":true,"message":"case"}`, "err:restrict: walletplatform FreezeAccount: HTTP 200: unreadable answer: answer has no status field: {\"Status\":true,\"message\":\"case\"}"},
	{200, `{"status":true,"data":null}`, "ok:|"},
	{200, `{"status":true} trailing`, "err:restrict: walletplatform FreezeAccount: HTTP 200: unreadable answer: malformed JSON: invalid character 't' after top-level value: {\"status\":true} trailing"},
	{200, `<response><status>true</status><statusCode>0</statusCode><message>ok</message><data></data></response>`, "ok:ok|"},
	{200, `{"status":true,"message":"m\u00e9ss \"q\""}`, "ok:méss \"q\"|"},
	{200, `{"status":true,"errors":["e1"],"message":""}`, "ok:|"},
	{200, `{"status":null,"message":"n"}`, "err:restrict: walletplatform FreezeAccount: HTTP 200: n"},
	{200, `{"status":true,"statusCode":99999999999999999999,"message":"big"}`, "ok:big|"},
	{200, `{"status":true,"statusCode":-0,"message":"neg","data":{"x":"}{"}}`, "ok:neg|{\"x\":\"}{\"}"},
	{200, `{"status":true,"message":"  padded  ","data":[]}`, "ok:padded|[]"},
	{200, "\ufeff{\"status\":true,\"message\":\"bom\"}", "ok:bom|"},
	{404, `{"status":false,"statusCode":404,"message":"Account id not found","data":{},"errors":[{"message":"Account id not found","descriptiveMessage":"no such account"}]}`, "err:restrict: walletplatform FreezeAccount: HTTP 404 code \"404\": Account id not found; no such account"},
	{400, `{"statusCode":400,"message":["accountId must be a string"],"error":"Bad Request"}`, "err:restrict: walletplatform FreezeAccount: HTTP 400 code \"400\": accountId must be a string"},
	{200, `[]`, "err:restrict: walletplatform FreezeAccount: HTTP 200: unreadable answer: JSON answer is not an object: []"},
	{200, ``, "err:restrict: walletplatform FreezeAccount: HTTP 200: unreadable answer: empty answer"},
}

// TestWalletPlatformDecodeUnchanged runs FreezeAccount against each
// recorded answer and compares the outcome, error text included.
func TestWalletPlatformDecodeUnchanged(t *testing.T) {
	for _, tc := range walletAnswers {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(tc.status)
			_, _ = io.WriteString(w, tc.body)
		}))
		c, err := walletplatform.New(walletplatform.Credentials{APIKey: walletAPIKey, Token: walletToken},
			restrict.WithBaseURL(srv.URL), restrict.WithRetry(restrict.RetryPolicy{MaxAttempts: 1}))
		require.NoError(t, err)
		res, err := c.FreezeAccount(context.Background(), targetID)
		srv.Close()
		got := ""
		if err != nil {
			got = "err:" + err.Error()
		} else {
			got = "ok:" + res.Message + "|" + string(res.Data)
		}
		require.Equal(t, tc.want, got, tc.body)
	}
}
