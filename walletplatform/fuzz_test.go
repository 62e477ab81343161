package walletplatform

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/transport"
)

var fuzzSeeds = []struct {
	status int
	ct     string
	body   string
}{
	{200, "application/json", `{"status":true,"statusCode":0,"message":"ok","data":{"uuid":"u"},"errors":[]}`},
	{400, "application/json", `{"status":false,"statusCode":400,"message":"Invalid account id","errors":[{"message":"Invalid account id","descriptiveMessage":""}]}`},
	{400, "application/json", `{"statusCode":400,"message":["a","b"],"error":"Bad Request"}`},
	{200, "application/json", `{"status":"true","statusCode":"0","errors":{"error":[{"message":1}]}}`},
	{200, "application/json", `{"status":true,"data":{"_id":1,"uuid":"u","status":{"a":1},"accountStatus":"FROZEN"}}`},
	{200, "application/json", `{"status":true,"data":"text"}`},
	{200, "application/xml", `<response><status>true</status><statusCode>0</statusCode><message>string</message><data></data><errors><error><message>string</message><descriptiveMessage>string</descriptiveMessage></error></errors></response>`},
	{404, "application/xml", `<response><status>false</status><statusCode>404</statusCode><message>Account id not found</message><data></data><errors><error><message>Account id not found</message><descriptiveMessage></descriptiveMessage></error></errors></response>`},
	{200, "", `<?xml version="1.0"?><response><status>true</status><data><a><b>1</b><b>2</b></a></data></response>`},
	{201, "", `{"data":{"accessToken":"eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.c2ln"}}`},
	{201, "application/json", `{"token":"a b"}`},
	{201, "application/xml", `<response><status>true</status><data><accessToken>tok-1234</accessToken></data></response>`},
	{404, "application/json", `{"statusCode":404,"message":"Cannot POST /x","error":"Not Found"}`},
	{502, "text/html", `<html><body>Bad Gateway</body></html>`},
	{200, "text/plain", `OK`},
	{200, "application/json", ``},
	{200, "application/json", `null`},
	{200, "application/xml", `<response>` + strings.Repeat("<a>", 40) + strings.Repeat("</a>", 40) + `</response>`},
}

// checkDecoderError is what every decoder promises: nil, a provider error
// with a class, or a plain error (an unreadable 2xx, reported by the
// transport).
func checkDecoderError(t *testing.T, status int, err error) {
	t.Helper()
	if err == nil {
		if !transport.IsSuccess(status) {
			t.Fatalf("HTTP %d decoded as success", status)
		}
		return
	}
	var ae *restrict.APIError
	if errors.As(err, &ae) {
		if ae.Class == nil {
			t.Fatalf("APIError without a class: %v", err)
		}
		return
	}
	if !transport.IsSuccess(status) {
		t.Fatalf("HTTP %d gave a plain error: %v", status, err)
	}
}

// checkThroughClient runs the answer through a real client, where every
// error must be an *restrict.APIError with a class.
func checkThroughClient(t *testing.T, creds Credentials, status int, ct, body string) {
	t.Helper()
	mt := httpmock.NewMockTransport()
	mt.RegisterNoResponder(func(*http.Request) (*http.Response, error) {
		res := httpmock.NewStringResponse(status, body)
		if ct != "" {
			res.Header.Set("Content-Type", ct)
		}
		return res, nil
	})
	c, err := New(creds, restrict.WithBaseURL("https://wallets.example.com/platform/wallets"),
		restrict.WithHTTPClient(&http.Client{Transport: mt}), restrict.WithRetry(restrict.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetAccount(context.Background(), "u-1")
	if err == nil {
		return
	}
	var ae *restrict.APIError
	if !errors.As(err, &ae) || ae.Class == nil {
		t.Fatalf("not a classified *restrict.APIError: %#v", err)
	}
	for _, s := range []string{string(creds.APIKey), string(creds.PassID), string(creds.Token)} {
		if s != "" && strings.Contains(err.Error(), s) {
			t.Fatalf("secret in error: %v", err)
		}
	}
}

// FuzzDecodeEnvelope feeds any answer to the wallet service's decoder, for
// a result that takes the envelope and one decoded from data, and then
// through a whole client.
func FuzzDecodeEnvelope(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s.status, s.ct, s.body)
	}
	f.Fuzz(func(t *testing.T, status int, ct, body string) {
		if status < 100 || status > 599 {
			status = 200 + (status&0x7fffffff)%400
		}
		res := &transport.Response{StatusCode: status, Header: http.Header{"Content-Type": {ct}}, Body: []byte(body)}
		var fr FreezeAccountResult
		checkDecoderError(t, status, decode(res, &fr))
		var acc Account
		err := decode(res, &acc)
		checkDecoderError(t, status, err)
		if err == nil && acc.Raw != nil && !json.Valid(acc.Raw) {
			t.Fatalf("account Raw is not JSON: %q", acc.Raw)
		}
		checkThroughClient(t, Credentials{APIKey: "fuzz-api-key-123", Token: "fuzz-token-456"}, status, ct, body)
	})
}

// FuzzDecodeLogin feeds any answer to the login's decoder: it gives a
// usable token or a classified error, never a plain one.
func FuzzDecodeLogin(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s.status, s.ct, s.body)
	}
	f.Fuzz(func(t *testing.T, status int, ct, body string) {
		if status < 100 || status > 599 {
			status = 200 + (status&0x7fffffff)%400
		}
		res := &transport.Response{StatusCode: status, Header: http.Header{"Content-Type": {ct}}, Body: []byte(body)}
		var token string
		err := decodeLogin(res, &token)
		if err == nil {
			if !usableToken(token) {
				t.Fatalf("unusable token accepted: %q", token)
			}
		} else {
			var ae *restrict.APIError
			if !errors.As(err, &ae) || ae.Class == nil {
				t.Fatalf("login decoder returned a plain error: %v", err)
			}
		}
		checkThroughClient(t, Credentials{APIKey: "fuzz-api-key-123", Username: "u", PassID: "fuzz-pass-789"}, status, ct, body)
	})
}

// FuzzDecodeXML feeds any XML to the envelope's XML form: it must not
// panic, and data it accepts is rendered as valid JSON.
func FuzzDecodeXML(f *testing.F) {
	for _, s := range fuzzSeeds {
		if strings.HasPrefix(strings.TrimSpace(s.body), "<") {
			f.Add(s.body)
		}
	}
	f.Fuzz(func(t *testing.T, body string) {
		var env envelope
		if parse([]byte(body), &env) == nil && env.Data != nil && !json.Valid(env.Data) {
			t.Fatalf("data rendered as invalid JSON: %q", env.Data)
		}
	})
}
