package cryptomus

import (
	"bytes"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/transport"
)

// Whatever the body, VerifyWebhook returns a payload or an error matching
// ErrUnauthorized, never both, never a panic; a verified payload keeps
// the body as it came.
func FuzzVerifyWebhook(f *testing.F) {
	for _, s := range []string{webhookWallet, webhookReencoded, webhookEmptyAsArray, webhookEmptyAsObject,
		``, `{}`, `[]`, `{"sign":1}`, `{"a":[{},[],{"b":{}}],"sign":"x"}`, `{"a":"\ud800","sign":"x"}`, `{"sign":"x"`, "{\"a\":\"\xff\",\"sign\":\"x\"}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		w, err := VerifyWebhook(testKey, body)
		if err != nil {
			var ae *restrict.APIError
			if !errors.As(err, &ae) || !errors.Is(err, restrict.ErrUnauthorized) || w != nil {
				t.Fatalf("error %v is not an ErrUnauthorized APIError", err)
			}
			if strings.Contains(err.Error(), testKey) {
				t.Fatal("secret in error")
			}
			return
		}
		if w == nil || !bytes.Equal(w.Raw, body) {
			t.Fatalf("verified payload %+v does not keep the body", w)
		}
	})
}

// Whatever the status and body, decode returns nil, an *APIError with a
// class, or (for a 2xx only) a plain error the transport reports as an
// unreadable answer; never a secret, never a panic.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"state":0,"result":{"uuid":"u","status":"blocked"}}`,
		`{"state":0,"result":{"commission":"0.50","amount":9.5}}`,
		`{"state":1,"errors":{"uuid":["validation.required_without"]}}`,
		`{"state":1,"errors":{"a":"b","c":[1,null,{}]}}`,
		`{"state":1,"message":"Not found"}`,
		`{"message":"Server error, #1","code":500,"error":null}`,
		`{"message":"The route v1/x could not be found."}`,
		`{"state":1}`, `{"state":"0"}`, `{}`, `[]`, `null`, ``, `<html>`, `{"state":0,"result":null}`,
	} {
		for _, status := range []int{200, 401, 404, 422, 500} {
			f.Add(status, []byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		res := &transport.Response{StatusCode: status, Header: http.Header{}, Body: body}
		for _, out := range []any{nil, &BlockAddressResult{}, &RefundBlockedAddressResult{}, &StaticWallet{}} {
			err := decode(res, out)
			if err == nil {
				continue
			}
			if strings.Contains(err.Error(), testKey) {
				t.Fatal("secret in error")
			}
			var ae *restrict.APIError
			if errors.As(err, &ae) {
				if ae.Class == nil {
					t.Fatalf("APIError without a class: %v", err)
				}
				if ae.Code != "" {
					t.Fatalf("Cryptomus sends no error codes, got %q", ae.Code)
				}
				continue
			}
			if !transport.IsSuccess(status) {
				t.Fatalf("status %d gave a plain error %v", status, err)
			}
		}
	})
}
