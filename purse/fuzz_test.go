package purse

import (
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/transport"
)

// FuzzDecode feeds arbitrary answers to the decoder behind every call and
// every result type: it must not panic, and whatever it returns for a
// provider error must be a *restrict.APIError with a class.
func FuzzDecode(f *testing.F) {
	for _, seed := range []struct {
		status int
		date   string
		body   string
	}{
		{200, "", `{"id":"7b5c1f0e-2a3d-4e5f-8a9b-0c1d2e3f4a5b","email":"a@b.c","description":"d","externalId":"x","blocked":true}`},
		{200, "", `{"page":0,"size":20,"total":1,"totalElements":1,"result":[{"id":"t","amount":1.5}]}`},
		{200, "", `[{"id":"p","balance":"1"}]`},
		{200, "", `{"errorCode":"004","message":"Not found"}`},
		{400, "Sat, 21 Nov 2026 10:00:00 GMT", `{"errorCode":"011","message":"Invalid timestamp"}`},
		{400, "garbage", `{"errorCode":"011"}`},
		{500, "", `{"errorCode":"000","message":"Internal server error"}`},
		{400, "", `{"errorCode":3}`},
		{400, "", `{"errorCode":null}`},
		{502, "", `<html>`},
		{200, "", ``},
		{200, "", `null`},
		{200, "", `{"amount":{}}`},
	} {
		f.Add(seed.status, seed.date, []byte(seed.body))
	}
	c, err := New(Credentials{Account: "a", Key: "k", Secret: "s"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, status int, date string, body []byte) {
		res := &transport.Response{StatusCode: status, Header: http.Header{"Date": {date}}, Body: body}
		for _, out := range []any{&Customer{}, &Purses{}, &Address{}, &TransactionResult{}, &TransactionPage{}} {
			err := c.decode(res, out)
			if err == nil {
				continue
			}
			var ae *restrict.APIError
			if errors.As(err, &ae) {
				if ae.Class == nil {
					t.Fatalf("APIError without a class: %v", ae)
				}
				continue
			}
			// Anything else must be an unreadable answer: malformed JSON
			// in a success, which the transport reports as ErrUnavailable.
			var syn *json.SyntaxError
			var typ *json.UnmarshalTypeError
			if !errors.As(err, &syn) && !errors.As(err, &typ) && err.Error() != "empty body" && !transport.IsSuccess(status) {
				t.Fatalf("status %d: unexpected plain error %T %v", status, err, err)
			}
		}
	})
}
