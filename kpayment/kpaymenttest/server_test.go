package kpaymenttest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict/kpayment"
	"github.com/restrictkit/restrict/kpayment/kpaymenttest"
	"github.com/restrictkit/restrict/restricttest"
)

const path = "/payment/kpayment/v1/customer/c-1/block"

// basic is base64("sub:pw"), from printf 'sub:pw' | base64.
const basic = "Basic c3ViOnB3"

func newServer(t *testing.T) *kpaymenttest.Server {
	t.Helper()
	srv := kpaymenttest.NewServer(kpayment.Credentials{Username: "sub", Password: "pw", Token: "tok"})
	t.Cleanup(srv.Close)
	return srv
}

type answer struct {
	status      int
	contentType string
	body        map[string]any
	raw         string
}

func post(t *testing.T, srv *kpaymenttest.Server, method, p, auth, contentType, body string) answer {
	t.Helper()
	req, err := http.NewRequest(method, strings.TrimSuffix(srv.BaseURL(), kpaymenttest.BasePath)+p, strings.NewReader(body))
	require.NoError(t, err)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	a := answer{status: res.StatusCode, contentType: res.Header.Get("Content-Type"), raw: string(raw)}
	require.NoError(t, json.Unmarshal(raw, &a.body), string(raw))
	return a
}

func TestBlockWithBasicAndBearer(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	a := post(t, srv, "POST", path, basic, "application/json", `{"onlinePayment":false,"ccLastFour":"0042"}`)
	require.Equal(t, 200, a.status)
	require.Equal(t, "application/json", a.contentType)
	require.Equal(t, `{}`, a.raw)
	b, ok := srv.LastBlock("c-1")
	require.True(t, ok)
	f := false
	require.Equal(t, kpaymenttest.Block{CustomerUUID: "c-1", CCLastFour: "0042", OnlinePayment: &f}, b)

	a = post(t, srv, "POST", "/payment/kpayment/v1/customer/c%202/block", "Bearer tok", "application/json; charset=utf-8", `{}`)
	require.Equal(t, 200, a.status)
	require.True(t, srv.Blocked("c 2"))
	require.Equal(t, 2, srv.BlockCalls())
}

func TestCredentials(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	tests := []struct {
		auth string
		code float64
	}{
		{"", 100001},
		{"Basic c3ViOnd4", 100003}, // sub:wx
		{"Basic !!!", 100003},
		{"Bearer nope", 100003},
		{"Bearer tok2", 100003},
		{"Digest x", 100003},
	}
	for _, tt := range tests {
		a := post(t, srv, "POST", path, tt.auth, "application/json", `{}`)
		require.Equal(t, 401, a.status, tt.auth)
		require.Equal(t, "*/*", a.contentType)
		errs := a.body["errors"].([]any)
		require.Len(t, errs, 1)
		require.Equal(t, tt.code, errs[0].(map[string]any)["errorCode"])
		require.Contains(t, a.body, "warnings")
	}
	require.False(t, srv.Blocked("c-1"))

	// A fake given only a token refuses Basic, and the reverse.
	tokenOnly := kpaymenttest.NewServer(kpayment.Credentials{Token: "tok"})
	defer tokenOnly.Close()
	require.Equal(t, 401, post(t, tokenOnly, "POST", path, basic, "application/json", `{}`).status)
	basicOnly := kpaymenttest.NewServer(kpayment.Credentials{Username: "sub", Password: "pw"})
	defer basicOnly.Close()
	require.Equal(t, 401, post(t, basicOnly, "POST", path, "Bearer tok", "application/json", `{}`).status)

	// A fake given a pasted header value accepts the token alone, as a
	// client given the same value sends it.
	prefixed := kpaymenttest.NewServer(kpayment.Credentials{Token: "Bearer tok"})
	defer prefixed.Close()
	require.Equal(t, 200, post(t, prefixed, "POST", path, "Bearer tok", "application/json", `{}`).status)
}

func TestInvalidBodies(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	for _, tc := range []struct{ contentType, body string }{
		{"application/json", ``},
		{"application/json", `[]`},
		{"application/json", `null`},
		{"application/json", `{"invoiceGuid":"x"}`},
		{"application/json", `{"OnlinePayment":true}`},
		{"application/json", `{"onlinePayment":"true"}`},
		{"application/json", `{"ccLastFour":4242}`},
		{"application/json", `{"ccLastFour":"12a4"}`},
		{"application/json", `{"ccLastFour":"12345"}`},
		{"application/json", `{} {}`},
		{"text/plain", `{}`},
		{"", `{}`},
	} {
		a := post(t, srv, "POST", path, basic, tc.contentType, tc.body)
		require.Equal(t, 400, a.status, tc.body)
		e := a.body["errors"].([]any)[0].(map[string]any)
		require.Equal(t, float64(100006), e["errorCode"])
		require.Equal(t, "INVALID_REQUEST_DATA", e["errorTitle"])
	}
	require.Zero(t, srv.BlockCalls())
}

func TestErrorShapes(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	srv.SetErrorShape(kpaymenttest.ShapeErrorName)
	a := post(t, srv, "POST", path, "Basic eA==", "application/json", `{}`)
	require.Equal(t, 401, a.status)
	require.Equal(t, "WRONG_CREDENTIAL", a.body["error"].(map[string]any)["errorCode"])
	require.NotContains(t, a.body, "errors")

	srv.SetErrorShape(kpaymenttest.ShapeErrorNumber)
	a = post(t, srv, "POST", path, "", "application/json", `{}`)
	require.Equal(t, "100001", a.body["error"].(map[string]any)["errorCode"])
	require.Equal(t, "*/*", a.contentType)
}

func TestRejectAndWarnings(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	srv.Reject(403, kpaymenttest.CodeAccessForbidden)
	a := post(t, srv, "POST", path, basic, "application/json", `{}`)
	require.Equal(t, 403, a.status)
	require.Equal(t, "ACCESS_FORBIDDEN", a.body["errors"].([]any)[0].(map[string]any)["errorTitle"])

	srv.SetWarnings(kpaymenttest.Warning{Code: kpaymenttest.CodeNoPreferredDealer, Description: "d"})
	a = post(t, srv, "POST", path, basic, "application/json", `{}`)
	require.Equal(t, 200, a.status, "a rejection applies once")
	w := a.body["warnings"].([]any)[0].(map[string]any)
	require.Equal(t, float64(150000), w["warningCode"])
	require.Equal(t, "NO_PREFERRED_DEALER_ID", w["warningTitle"])

	srv.SetWarnings()
	a = post(t, srv, "POST", path, basic, "application/json", `{}`)
	require.Equal(t, `{}`, a.raw)
}

func TestOtherRoutes(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	a := post(t, srv, "GET", path, basic, "", "")
	require.Equal(t, 405, a.status)
	require.Equal(t, "Method Not Allowed", a.body["error"])
	a = post(t, srv, "POST", "/kpayment/v1/customer/c-1/block", basic, "application/json", `{}`)
	require.Equal(t, 404, a.status, "the base path is required")
	require.Equal(t, "Not Found", a.body["error"])
}

func TestCustomers(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	fresh := srv.AddCustomer(kpaymenttest.Customer{})
	require.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, fresh.UUID)
	require.False(t, fresh.Blocked)
	blocked := srv.AddCustomer(kpaymenttest.Customer{UUID: "0e4b8c4c-7d3f-4b8e-9d7a-3f0c5b9e2a11", Blocked: true})
	require.Equal(t, kpaymenttest.Customer{UUID: "0e4b8c4c-7d3f-4b8e-9d7a-3f0c5b9e2a11", Blocked: true}, blocked)

	got, ok := srv.Customer(fresh.UUID)
	require.True(t, ok)
	require.Equal(t, fresh, got)
	require.True(t, srv.Blocked(blocked.UUID))
	_, ok = srv.LastBlock(blocked.UUID)
	require.False(t, ok, "a customer added blocked received no block request")
	_, ok = srv.Customer("never-seen")
	require.False(t, ok)
	require.False(t, srv.Blocked("never-seen"))

	// A block, then a repeated block: both answered {}, the customer
	// stays blocked, and the last body is kept.
	p := "/payment/kpayment/v1/customer/" + fresh.UUID + "/block"
	a := post(t, srv, "POST", p, basic, "application/json", `{"onlinePayment":true}`)
	require.Equal(t, `{}`, a.raw)
	require.True(t, srv.Blocked(fresh.UUID))
	a = post(t, srv, "POST", p, basic, "application/json", `{"ccType":"VISA"}`)
	require.Equal(t, 200, a.status)
	require.Equal(t, `{}`, a.raw, "a repeated block is answered as the first")
	b, ok := srv.LastBlock(fresh.UUID)
	require.True(t, ok)
	require.Equal(t, kpaymenttest.Block{CustomerUUID: fresh.UUID, CCType: "VISA"}, b)
	require.Equal(t, 2, srv.BlockCalls())

	// Blocking an already blocked customer is the same success.
	a = post(t, srv, "POST", "/payment/kpayment/v1/customer/"+blocked.UUID+"/block", basic, "application/json", `{}`)
	require.Equal(t, `{}`, a.raw)
	require.True(t, srv.Blocked(blocked.UUID))
}

func TestHandlerAndClock(t *testing.T) {
	t.Parallel()
	srv := kpaymenttest.NewServer(kpayment.Credentials{Username: "sub", Password: "pw"})
	t.Cleanup(srv.Close)
	srv.SetClock(func() time.Time { return time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC) })
	srv.Inject(restricttest.Fault{Status: 503, Times: 1})
	mux := http.NewServeMux()
	mux.Handle("/", srv.Handler())
	for _, want := range []int{503, 200} {
		req := httptest.NewRequest("POST", path, strings.NewReader(`{}`))
		req.Header.Set("Authorization", basic)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		require.Equal(t, want, rec.Code)
	}
	require.Equal(t, 2, srv.Requests())
	require.True(t, srv.Blocked("c-1"), "the mounted handler shares the server's state")

	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("POST", "/nowhere", nil))
	require.Equal(t, 404, rec.Code)
	require.JSONEq(t, `{"timestamp":"2026-11-30T10:00:00.000+00:00","status":404,"error":"Not Found","path":"/nowhere"}`, rec.Body.String())
}
