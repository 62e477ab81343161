package kpayment_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/jarcoal/httpmock"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/kpayment"
)

var fuzzSeeds = []struct {
	status int
	body   string
}{
	{200, `{}`},
	{200, `{"warnings":[{"warningCode":150000,"warningTitle":"NO_PREFERRED_DEALER_ID"}]}`},
	{200, `{"warnings":[{"warningCode":"NO_PREFERRED_DEALER_ID","warningDescription":"d"}]}`},
	{200, `{"errors":[{"errorCode":100002}]}`},
	{200, ``},
	{200, `null`},
	{400, `{"errors":[{"errorCode":100006,"errorTitle":"INVALID_REQUEST_DATA","errorMessage":"m","errorDescription":"d"}],"warnings":[]}`},
	{401, `{"error":{"errorCode":"WRONG_CREDENTIAL","errorDescription":"d"},"warnings":[]}`},
	{401, `{"error":{"errorCode":"100003","errorDescription":"d"}}`},
	{404, `{"timestamp":"t","status":404,"error":"Not Found","path":"/x"}`},
	{500, `{"errors":[{"errorCode":1e400}]}`},
	{500, `{"errors":[{"errorCode":-0.5},{"errorCode":"\u0000"}]}`},
	{502, `<html>bad gateway</html>`},
	{429, `{"errors":[{"errorCode":100004}]}`},
	{418, "\xff\xfe{\"errors\":"},
}

// FuzzDecodeBlockCustomer feeds arbitrary answers through the whole client:
// whatever myKaarma (or a proxy) answers, the result is a success with a
// 2xx status or a *restrict.APIError of some class, never a panic or another
// error type.
func FuzzDecodeBlockCustomer(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s.status, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 200 || status > 599 {
			status = 200 + (status%400+400)%400
		}
		mt := httpmock.NewMockTransport()
		mt.RegisterNoResponder(httpmock.NewBytesResponder(status, body))
		c, err := kpayment.New(basicCreds, restrict.WithHTTPClient(&http.Client{Transport: mt}),
			restrict.WithRetry(restrict.RetryPolicy{MaxAttempts: 1}))
		if err != nil {
			t.Fatal(err)
		}
		res, err := c.BlockCustomer(context.Background(), custUUID, kpayment.BlockCustomerRequest{})
		if err == nil {
			if status < 200 || status > 299 {
				t.Fatalf("status %d decoded as success", status)
			}
			if res == nil || res.StatusCode != status {
				t.Fatalf("success without its status: %+v", res)
			}
			return
		}
		var ae *restrict.APIError
		if !errors.As(err, &ae) {
			t.Fatalf("error of type %T: %v", err, err)
		}
		if ae.Class == nil || ae.StatusCode != status {
			t.Fatalf("error without class or status: %#v", ae)
		}
		if res != nil {
			t.Fatal("both a result and an error")
		}
	})
}
