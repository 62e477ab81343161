package walletplatform

import (
	"context"
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
	{200, "application/xml", `<response><status>true</status><statusCode>0</statusCode><message>string</message><data></data><errors><error><message>string</message><descriptiveMessage>string</descriptiveMessage></error></errors></response>`},
	{404, "application/xml", `<response><status>false</status><statusCode>404</statusCode><message>Account id not found</message><data></data><errors><error><message>Account id not found</message><descriptiveMessage></descriptiveMessage></error></errors></response>`},
	{200, "", `<?xml version="1.0"?><response><status>true</status><data><a><b>1</b><b>2</b></a></data></response>`},
	{201, "", `{"data":{"accessToken":"eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.c2ln"}}`},
	{201, "application/json", `{"token":"a b"}`},
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

func FuzzDecodeEnvelope(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s.status, s.ct, s.body)
	}
	f.Fuzz(func(t *testing.T, status int, ct, body string) {
		if status < 100 || status > 599 {
			status = 200 + (status&0x7fffffff)%400
		}
		res := &transport.Response{StatusCode: status, Header: http.Header{"Content-Type": {ct}}, Body: []byte(body)}
		var env envelope
		err := decode(res, &env)
		checkDecoderError(t, status, err)
		if err == nil && env.Data != nil && isEmptyJSON(env.Data) {
			t.Fatalf("empty data kept: %q", env.Data)
		}
		checkThroughClient(t, Credentials{APIKey: "fuzz-api-key-123", Token: "fuzz-token-456"}, status, ct, body)
	})
}

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

// FuzzDecodeXML feeds arbitrary XML to the parser behind the XML form.
func FuzzDecodeXML(f *testing.F) {
	for _, s := range fuzzSeeds {
		if strings.HasPrefix(strings.TrimSpace(s.body), "<") {
			f.Add(s.body)
		}
	}
	f.Fuzz(func(t *testing.T, body string) {
		obj, format, err := parseObject("application/xml", []byte(body), func(s string) string { return s })
		if err == nil {
			if format != formatXML && format != formatJSON {
				t.Fatalf("parsed as %v", format)
			}
			_ = envelopeOf(obj)
		}
	})
}
