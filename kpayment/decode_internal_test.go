package kpayment

import (
	"errors"
	"testing"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/transport"
)

// FuzzDecode checks the decoder alone: a non-2xx answer is always a
// *restrict.APIError with a class; a 2xx answer is a result, a provider
// error, or a plain error that the transport reports as unreadable; and a
// result only comes from a JSON object.
func FuzzDecode(f *testing.F) {
	f.Add(200, []byte(`{}`))
	f.Add(200, []byte(`{"warnings":[{"warningCode":1}]}`))
	f.Add(200, []byte(`{"error":{"errorCode":"100006"}}`))
	f.Add(400, []byte(`{"errors":[{"errorCode":100006,"errorTitle":"INVALID_REQUEST_DATA"}]}`))
	f.Add(401, []byte(`{"error":{"errorCode":"WRONG_CREDENTIAL","errorDescription":"d"}}`))
	f.Add(404, []byte(`{"error":"Not Found"}`))
	f.Add(500, []byte(``))
	f.Add(503, []byte(`{"errors":[{}]}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		var out BlockCustomerResult
		err := decode(&transport.Response{StatusCode: status, Body: body}, &out)
		var ae *restrict.APIError
		isAPI := errors.As(err, &ae)
		switch {
		case err == nil:
			if !transport.IsSuccess(status) {
				t.Fatalf("status %d decoded as success", status)
			}
		case isAPI:
			if ae.Class == nil {
				t.Fatalf("APIError without class: %#v", ae)
			}
		case !transport.IsSuccess(status):
			t.Fatalf("status %d gave a plain error: %v", status, err)
		}
	})
}

func TestLookupCoversTheTable(t *testing.T) {
	t.Parallel()
	for _, e := range codeTable {
		for _, c := range []string{e.code, e.name} {
			name, class := lookup(c)
			if name != e.name || class == nil {
				t.Fatalf("lookup(%q) = %q, %v", c, name, class)
			}
		}
	}
	if _, class := lookup("150000"); class != nil {
		t.Fatal("a warning code is not an error class")
	}
}
