package customerv2test_test

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict/customerv2"
	"github.com/restrictkit/restrict/customerv2/customerv2test"
)

func post(t *testing.T, url string, header map[string]string, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var out map[string]any
	require.NoError(t, json.Unmarshal(b, &out), string(b))
	return resp.StatusCode, out
}

func TestLoginIssuesExpiringHS256JWT(t *testing.T) {
	t.Parallel()
	var now atomic.Int64
	now.Store(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Unix())
	clock := func() time.Time { return time.Unix(now.Load(), 0) }
	srv := customerv2test.NewServer(customerv2test.Config{TokenLifetime: time.Minute, Clock: clock})
	defer srv.Close()
	id := srv.AddCustomer(customerv2.Customer{Email: "a@example.com"}).ID

	status, body := post(t, srv.URL+"/v2/auth/login", map[string]string{"merchant_id": customerv2test.DefaultMerchantID},
		`{"email":"`+customerv2test.DefaultEmail+`","password":"`+customerv2test.DefaultPassword+`"}`)
	require.Equal(t, http.StatusCreated, status)
	tok := body["data"].(map[string]any)["accessToken"].(string)
	parts := strings.Split(tok, ".")
	require.Len(t, parts, 3)
	head, err := base64.RawURLEncoding.DecodeString(parts[0])
	require.NoError(t, err)
	require.JSONEq(t, `{"alg":"HS256","typ":"JWT"}`, string(head))
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	var claims struct{ Exp int64 }
	require.NoError(t, json.Unmarshal(payload, &claims))
	require.Equal(t, now.Load()+60, claims.Exp)
	require.Equal(t, 1, srv.Logins())

	bearer := map[string]string{"Authorization": "Bearer " + tok}
	status, _ = post(t, srv.URL+"/v2/customer/details", bearer, `{"id":"`+id+`"}`)
	require.Equal(t, http.StatusOK, status)

	// A tampered signature is refused.
	status, _ = post(t, srv.URL+"/v2/customer/details", map[string]string{"Authorization": "Bearer " + parts[0] + "." + parts[1] + ".AAAA"}, `{"id":"`+id+`"}`)
	require.Equal(t, http.StatusUnauthorized, status)

	now.Add(60)
	status, body = post(t, srv.URL+"/v2/customer/details", bearer, `{"id":"`+id+`"}`)
	require.Equal(t, http.StatusUnauthorized, status)
	require.Equal(t, map[string]any{"statusCode": float64(401), "message": "Unauthorized"}, body)
}

func TestLoginChecksMerchantAndPassword(t *testing.T) {
	t.Parallel()
	srv := customerv2test.NewServer(customerv2test.Config{MerchantID: "m", Email: "e@x", Password: "p"})
	defer srv.Close()
	for _, tc := range []struct {
		merchant, body string
		status         int
	}{
		{"m", `{"email":"e@x","password":"p"}`, http.StatusCreated},
		{"", `{"email":"e@x","password":"p"}`, http.StatusUnauthorized},
		{"m", `{"email":"e@x","password":"q"}`, http.StatusUnauthorized},
		{"m", `{"email":"e@x"}`, http.StatusBadRequest},
		{"m", `{"email":"e@x","password":"p","merchantId":"m"}`, http.StatusBadRequest},
	} {
		h := map[string]string{}
		if tc.merchant != "" {
			h["merchant_id"] = tc.merchant
		}
		status, _ := post(t, srv.URL+"/v2/auth/login", h, tc.body)
		require.Equal(t, tc.status, status, tc.body)
	}
	require.Equal(t, 5, srv.Logins())
}

func TestAPIKeyAndStrictBodies(t *testing.T) {
	t.Parallel()
	srv := customerv2test.NewServer(customerv2test.Config{APIKey: "k-1"})
	defer srv.Close()
	id := srv.AddCustomer(customerv2.Customer{}).ID

	status, _ := post(t, srv.URL+"/v2/customer/suspend", nil, `{"id":"`+id+`"}`)
	require.Equal(t, http.StatusUnauthorized, status)
	status, _ = post(t, srv.URL+"/v2/customer/suspend", map[string]string{"api-key": "k-2"}, `{"id":"`+id+`"}`)
	require.Equal(t, http.StatusUnauthorized, status)

	key := map[string]string{"Api-Key": "k-1"}
	status, body := post(t, srv.URL+"/v2/customer/suspend", key, `{"customerId":"`+id+`"}`)
	require.Equal(t, http.StatusBadRequest, status)
	require.Equal(t, []any{"property customerId should not exist"}, body["message"])

	status, body = post(t, srv.URL+"/v2/customer/suspend", key, `{"id":"`+id+`"}`)
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, map[string]any{"data": map[string]any{"success": true}}, body)
	got, ok := srv.Customer(id)
	require.True(t, ok)
	require.Equal(t, customerv2.StatusSuspended, got.Status)

	status, body = post(t, srv.URL+"/v2/customer/create", key, `{"email":"x@y","firstName":"A","lastName":"B","country":"ukr"}`)
	require.Equal(t, http.StatusBadRequest, status)
	require.ElementsMatch(t, []any{"verificationDocumentId should not be empty", "residenceAddress should not be empty",
		"country must be a valid ISO31661 Alpha2 code"}, body["message"])
}

func TestNewHandlerMounts(t *testing.T) {
	t.Parallel()
	s := customerv2test.NewHandler(customerv2test.Config{})
	defer s.Close() // harmless when never started
	id := s.AddCustomer(customerv2.Customer{}).ID
	mux := http.NewServeMux()
	mux.Handle("/kuna/", http.StripPrefix("/kuna", s.Handler()))
	req := httptest.NewRequest(http.MethodPost, "/kuna/v2/customer/details", strings.NewReader(`{"id":"`+id+`"}`))
	req.Header.Set("api-key", customerv2test.DefaultAPIKey)
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, req)
	require.Equal(t, http.StatusOK, w.Code)
	require.Contains(t, w.Body.String(), id)
	require.Equal(t, 1, s.Requests())
}

func TestSetClockAndLifetime(t *testing.T) {
	t.Parallel()
	srv := customerv2test.NewServer(customerv2test.Config{})
	defer srv.Close()
	id := srv.AddCustomer(customerv2.Customer{}).ID
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	srv.SetClock(func() time.Time { return start })
	srv.SetTokenLifetime(time.Second)
	tok := srv.IssueToken()
	require.Equal(t, 0, srv.Logins(), "IssueToken is not a login")
	bearer := map[string]string{"Authorization": "Bearer " + tok}
	status, _ := post(t, srv.URL+"/v2/customer/details", bearer, `{"id":"`+id+`"}`)
	require.Equal(t, http.StatusOK, status)
	srv.SetClock(func() time.Time { return start.Add(time.Second) })
	status, _ = post(t, srv.URL+"/v2/customer/details", bearer, `{"id":"`+id+`"}`)
	require.Equal(t, http.StatusUnauthorized, status)
	srv.SetClock(func() time.Time { return start })
	srv.RevokeTokens()
	status, _ = post(t, srv.URL+"/v2/customer/details", bearer, `{"id":"`+id+`"}`)
	require.Equal(t, http.StatusUnauthorized, status)
}
