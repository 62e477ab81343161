package kpaymenttest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

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
	req, err := http.NewRequest(method, srv.URL+p, strings.NewReader(body))
	require.NoError(t, err)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := srv.Client().Do(req)
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

func TestSeedFaultsAndMounting(t *testing.T) {
	t.Parallel()
	h := kpaymenttest.NewHandler(kpayment.Credentials{Username: "sub", Password: "pw"})
	h.SetBlock("seeded", kpaymenttest.Block{CCType: "VISA"})
	b, ok := h.LastBlock("seeded")
	require.True(t, ok)
	require.Equal(t, kpaymenttest.Block{CustomerUUID: "seeded", CCType: "VISA"}, b)
	require.Zero(t, h.BlockCalls())

	h.Inject(restricttest.Fault{Status: 503, Times: 1})
	mux := http.NewServeMux()
	mux.Handle("/", h)
	for _, want := range []int{503, 200} {
		req := httptest.NewRequest("POST", path, strings.NewReader(`{}`))
		req.Header.Set("Authorization", basic)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		require.Equal(t, want, rec.Code)
	}
	require.Equal(t, 2, h.Requests())
}
