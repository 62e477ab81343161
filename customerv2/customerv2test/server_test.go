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

var loginCreds = customerv2.Credentials{MerchantID: customerv2test.MerchantID, Email: customerv2test.Email, Password: customerv2test.Password}

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
	srv := customerv2test.NewServer(loginCreds)
	defer srv.Close()
	srv.SetClock(clock)
	srv.SetTokenLifetime(time.Minute)
	id := srv.AddCustomer(customerv2.Customer{Email: "a@example.com"}).ID

	status, body := post(t, srv.BaseURL()+"/v2/auth/login", map[string]string{"merchant_id": customerv2test.MerchantID},
		`{"email":"`+customerv2test.Email+`","password":"`+customerv2test.Password+`"}`)
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
	status, _ = post(t, srv.BaseURL()+"/v2/customer/details", bearer, `{"id":"`+id+`"}`)
	require.Equal(t, http.StatusOK, status)

	// A tampered signature is refused.
	status, _ = post(t, srv.BaseURL()+"/v2/customer/details", map[string]string{"Authorization": "Bearer " + parts[0] + "." + parts[1] + ".AAAA"}, `{"id":"`+id+`"}`)
	require.Equal(t, http.StatusUnauthorized, status)

	now.Add(60)
	status, body = post(t, srv.BaseURL()+"/v2/customer/details", bearer, `{"id":"`+id+`"}`)
	require.Equal(t, http.StatusUnauthorized, status)
	require.Equal(t, map[string]any{"statusCode": float64(401), "message": "Unauthorized"}, body)
}

func TestLoginChecksMerchantAndPassword(t *testing.T) {
	t.Parallel()
	srv := customerv2test.NewServer(customerv2.Credentials{MerchantID: "m", Email: "e@x", Password: "p"})
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
		status, _ := post(t, srv.BaseURL()+"/v2/auth/login", h, tc.body)
		require.Equal(t, tc.status, status, tc.body)
	}
	require.Equal(t, 5, srv.Logins())
}

func TestAPIKeyAndStrictBodies(t *testing.T) {
	t.Parallel()
	srv := customerv2test.NewServer(customerv2.Credentials{APIKey: "k-1"})
	defer srv.Close()
	id := srv.AddCustomer(customerv2.Customer{}).ID

	status, _ := post(t, srv.BaseURL()+"/v2/customer/suspend", nil, `{"id":"`+id+`"}`)
	require.Equal(t, http.StatusUnauthorized, status)
	status, _ = post(t, srv.BaseURL()+"/v2/customer/suspend", map[string]string{"api-key": "k-2"}, `{"id":"`+id+`"}`)
	require.Equal(t, http.StatusUnauthorized, status)

	key := map[string]string{"Api-Key": "k-1"}
	status, body := post(t, srv.BaseURL()+"/v2/customer/suspend", key, `{"customerId":"`+id+`"}`)
	require.Equal(t, http.StatusBadRequest, status)
	require.Equal(t, []any{"property customerId should not exist"}, body["message"])

	status, body = post(t, srv.BaseURL()+"/v2/customer/suspend", key, `{"id":"`+id+`"}`)
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, map[string]any{"data": map[string]any{"success": true}}, body)
	got, ok := srv.Customer(id)
	require.True(t, ok)
	require.Equal(t, customerv2.StatusSuspended, got.Status)

	status, body = post(t, srv.BaseURL()+"/v2/customer/create", key, `{"email":"x@y","firstName":"A","lastName":"B","country":"ukr"}`)
	require.Equal(t, http.StatusBadRequest, status)
	require.ElementsMatch(t, []any{"verificationDocumentId should not be empty", "residenceAddress should not be empty",
		"country must be a valid ISO31661 Alpha2 code"}, body["message"])
}

func TestHandlerMounts(t *testing.T) {
	t.Parallel()
	s := customerv2test.NewServer(customerv2.Credentials{APIKey: customerv2test.APIKey})
	defer s.Close()
	id := s.AddCustomer(customerv2.Customer{}).ID
	mux := http.NewServeMux()
	mux.Handle("/kuna/", http.StripPrefix("/kuna", s.Handler()))
	req := httptest.NewRequest(http.MethodPost, "/kuna/v2/customer/details", strings.NewReader(`{"id":"`+id+`"}`))
	req.Header.Set("api-key", customerv2test.APIKey)
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, req)
	require.Equal(t, http.StatusOK, w.Code)
	require.Contains(t, w.Body.String(), id)
	require.Equal(t, 1, s.Requests())
}

func TestSetClockAndLifetime(t *testing.T) {
	t.Parallel()
	srv := customerv2test.NewServer(loginCreds)
	defer srv.Close()
	id := srv.AddCustomer(customerv2.Customer{}).ID
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	srv.SetClock(func() time.Time { return start })
	srv.SetTokenLifetime(time.Second)
	tok := srv.IssueToken()
	require.Equal(t, 0, srv.Logins(), "IssueToken is not a login")
	bearer := map[string]string{"Authorization": "Bearer " + tok}
	status, _ := post(t, srv.BaseURL()+"/v2/customer/details", bearer, `{"id":"`+id+`"}`)
	require.Equal(t, http.StatusOK, status)
	srv.SetClock(func() time.Time { return start.Add(time.Second) })
	status, _ = post(t, srv.BaseURL()+"/v2/customer/details", bearer, `{"id":"`+id+`"}`)
	require.Equal(t, http.StatusUnauthorized, status)
	srv.SetClock(func() time.Time { return start })
	srv.RevokeTokens()
	status, _ = post(t, srv.BaseURL()+"/v2/customer/details", bearer, `{"id":"`+id+`"}`)
	require.Equal(t, http.StatusUnauthorized, status)
}

// A fake accepts exactly its credentials: in API-key mode no login and no
// bearer token, in login mode no API key.
func TestAcceptsExactlyItsCredentials(t *testing.T) {
	t.Parallel()
	keyed := customerv2test.NewServer(customerv2.Credentials{APIKey: "k-1"})
	defer keyed.Close()
	id := keyed.AddCustomer(customerv2.Customer{}).ID
	status, _ := post(t, keyed.BaseURL()+"/v2/auth/login", map[string]string{"merchant_id": customerv2test.MerchantID},
		`{"email":"`+customerv2test.Email+`","password":"`+customerv2test.Password+`"}`)
	require.Equal(t, http.StatusUnauthorized, status)
	status, _ = post(t, keyed.BaseURL()+"/v2/customer/details", map[string]string{"Authorization": "Bearer " + keyed.IssueToken()}, `{"id":"`+id+`"}`)
	require.Equal(t, http.StatusUnauthorized, status)
	status, _ = post(t, keyed.BaseURL()+"/v2/customer/details", map[string]string{"api-key": "k-1"}, `{"id":"`+id+`"}`)
	require.Equal(t, http.StatusOK, status)

	login := customerv2test.NewServer(loginCreds)
	defer login.Close()
	id = login.AddCustomer(customerv2.Customer{}).ID
	status, _ = post(t, login.BaseURL()+"/v2/customer/details", map[string]string{"api-key": customerv2test.APIKey}, `{"id":"`+id+`"}`)
	require.Equal(t, http.StatusUnauthorized, status)
	status, _ = post(t, login.BaseURL()+"/v2/customer/details", map[string]string{"Authorization": "Bearer " + login.IssueToken()}, `{"id":"`+id+`"}`)
	require.Equal(t, http.StatusOK, status)
}

// State: a second suspension answers success again, details show the
// status, a suspended customer cannot be updated, an unknown ID is
// KunaCore's not found, an unknown route NestJS's.
func TestSuspendState(t *testing.T) {
	t.Parallel()
	srv := customerv2test.NewServer(customerv2.Credentials{APIKey: "k-1"})
	defer srv.Close()
	key := map[string]string{"api-key": "k-1"}
	id := srv.AddCustomer(customerv2.Customer{Email: "a@example.com"}).ID

	status, body := post(t, srv.BaseURL()+"/v2/customer/details", key, `{"id":"`+id+`"}`)
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, "Active", body["data"].(map[string]any)["status"])
	for i := 0; i < 2; i++ {
		status, body = post(t, srv.BaseURL()+"/v2/customer/suspend", key, `{"id":"`+id+`"}`)
		require.Equal(t, http.StatusOK, status)
		require.Equal(t, map[string]any{"data": map[string]any{"success": true}}, body)
	}
	status, body = post(t, srv.BaseURL()+"/v2/customer/details", key, `{"id":"`+id+`"}`)
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, "Suspended", body["data"].(map[string]any)["status"])

	status, body = post(t, srv.BaseURL()+"/v2/customer/update", key, `{"id":"`+id+`","lastName":"X"}`)
	require.Equal(t, http.StatusConflict, status)
	require.Equal(t, map[string]any{"statusCode": float64(409), "message": "Customer is suspended", "error": "Conflict"}, body)

	status, body = post(t, srv.BaseURL()+"/v2/customer/suspend", key, `{"id":"00000000-0000-4000-8000-000000000000"}`)
	require.Equal(t, http.StatusNotFound, status)
	require.Equal(t, map[string]any{"statusCode": float64(404), "message": "Customer not found", "error": "Not Found"}, body)

	status, body = post(t, srv.BaseURL()+"/v2/customer/detail", key, `{"id":"`+id+`"}`)
	require.Equal(t, http.StatusNotFound, status)
	require.Equal(t, map[string]any{"statusCode": float64(404), "message": "Cannot POST /v2/customer/detail", "error": "Not Found"}, body)
}
