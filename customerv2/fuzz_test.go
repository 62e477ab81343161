package customerv2

import (
	"errors"
	"testing"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/transport"
)

// FuzzDecode feeds any status and body to the decoder, into every result
// type: it must never panic, a failure status must always give a
// *restrict.APIError with a class, and a success must come only with a
// success status.
func FuzzDecode(f *testing.F) {
	seeds := []struct {
		status int
		body   string
	}{
		{200, `{"data":{"success":true}}`},
		{200, `{"data":{"success":false}}`},
		{200, `{"success":false,"message":["a","b"]}`},
		{200, `{"data":[{"id":"a","createdAt":"2024-02-26T16:36:14.499Z"}]}`},
		{200, `{"data":{"id":"x","comment":null,"createdAt":"bad"}}`},
		{201, `{"data":{"accessToken":"eyJhbGciOiJIUzI1NiJ9.e30.sig"}}`},
		{200, `{"statusCode":401,"message":"Unauthorized"}`},
		{400, `{"statusCode":400,"message":["email must be an email"],"error":"Bad Request"}`},
		{400, `{"statusCode":"400","message":{"nested":1},"error":7}`},
		{401, `{"statusCode":401,"message":"Unauthorized"}`},
		{404, `{"statusCode":404,"message":"Cannot POST /v2/customer/detail","error":"Not Found"}`},
		{409, `{"message":[null,1,"property x should not exist"]}`},
		{500, `<html>oops</html>`},
		{502, ``},
		{200, `{"statusCode":1e400}`},
		{200, `null`},
	}
	for _, s := range seeds {
		f.Add(s.status, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		res := &transport.Response{StatusCode: status, Body: body}
		outs := []any{nil, new(SuspendResult), new(Customer), new(FindCustomersResult), new(loginResult)}
		for _, out := range outs {
			err := decode(res, out)
			if err == nil {
				if !transport.IsSuccess(status) {
					t.Fatalf("status %d decoded without error", status)
				}
				continue
			}
			var ae *restrict.APIError
			if errors.As(err, &ae) {
				if ae.Class == nil {
					t.Fatalf("APIError without class: %v", err)
				}
				if ae.Code != "" {
					t.Fatalf("KunaCore sends no code, yet Code is %q", ae.Code)
				}
				continue
			}
			// A plain error means an unreadable answer, which only a 2xx
			// can be: a failure status is always classified.
			if !transport.IsSuccess(status) {
				t.Fatalf("status %d: plain error %v", status, err)
			}
		}
	})
}
