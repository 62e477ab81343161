package purse

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
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
		for _, out := range []any{&Customer{}, &Purses{}, &Address{}, &Transaction{}, &FindTransactionsResult{}} {
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

// FuzzVerifyWebhook checks the webhook verifier on arbitrary bodies and
// signatures: it never panics, every refusal matches ErrUnauthorized, it
// accepts the signature of a body it can decode (hex in either case), and
// refuses it once the body changes.
func FuzzVerifyWebhook(f *testing.F) {
	f.Add([]byte(`{"timestamp":1}`), "b16e9d45", "b823a6b9ea72408583cef9ec8d67fa52")
	f.Add([]byte(``), "", "k")
	f.Add([]byte(`{"eventType":"CUSTOMER_PURSE_FUNDS_RECEIVED_FOR_PURSE","data":{"customerBlocked":true,"transactionId":1}}`), "zz", "secret")
	f.Fuzz(func(t *testing.T, body []byte, sign string, key string) {
		if _, err := VerifyWebhook(restrict.Secret(key), body, sign); err != nil && !errors.Is(err, restrict.ErrUnauthorized) {
			t.Fatalf("refusal of another class: %v", err)
		}
		if key == "" {
			return
		}
		good := Sign(restrict.Secret(key), body)
		w, err := VerifyWebhook(restrict.Secret(key), body, good)
		if err == nil {
			if string(w.Raw) != string(body) {
				t.Fatal("Raw is not the body")
			}
			if _, err := VerifyWebhook(restrict.Secret(key), body, strings.ToUpper(good)); err != nil {
				t.Fatalf("uppercase hex refused: %v", err)
			}
		} else if strings.Contains(err.Error(), "does not match") {
			t.Fatalf("its own signature refused: %v", err)
		}
		changed := append(append([]byte(nil), body...), ' ')
		if _, err := VerifyWebhook(restrict.Secret(key), changed, good); err == nil {
			t.Fatal("a changed body accepted")
		}
	})
}
