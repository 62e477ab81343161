package pursetest_test

import (
	"crypto/hmac"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict/purse"
	"github.com/restrictkit/restrict/purse/pursetest"
	"github.com/restrictkit/restrict/restricttest"
)

var creds = purse.Credentials{Account: "0xacc", Key: "key", Secret: "secret"}

// post sends body to path under base, signed with secret, and decodes the
// answer.
func post(t *testing.T, base, method, path, key, secret, body string) (int, map[string]any, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	require.NoError(t, err)
	m := hmac.New(sha512.New, []byte(secret))
	m.Write([]byte(body))
	req.Header.Set("Key", key)
	req.Header.Set("Sign", hex.EncodeToString(m.Sum(nil)))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return resp.StatusCode, out, resp.Header
}

const api = "/api/v1/customer-purse/"

func envelope(ts time.Time, payload string) string {
	return `{"account":"0xacc","timestamp":` + strconv.FormatInt(ts.UnixMilli(), 10) + `,"payload":` + payload + `}`
}

func TestFakeChecksAuthAndWindow(t *testing.T) {
	t.Parallel()
	srv := pursetest.NewServer(creds)
	defer srv.Close()
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	srv.SetClock(func() time.Time { return now })
	c := srv.AddCustomer(purse.Customer{Email: "a@b.c"})
	payload := `{"customerId":"` + c.ID + `"}`

	status, out, h := post(t, srv.BaseURL(), http.MethodPost, api+"customer/block", "key", "secret", envelope(now.Add(-2*time.Minute), payload))
	require.Equal(t, 200, status)
	require.Equal(t, true, out["blocked"])
	require.Equal(t, now.Format(http.TimeFormat), h.Get("Date"))

	for name, tc := range map[string]struct {
		key, secret, body string
		code              string
	}{
		"WrongKey":        {"other", "secret", envelope(now, payload), "002"},
		"WrongSign":       {"key", "other", envelope(now, payload), "003"},
		"TooOld":          {"key", "secret", envelope(now.Add(-3*time.Minute-time.Millisecond), payload), "011"},
		"TooNew":          {"key", "secret", envelope(now.Add(3*time.Minute+time.Millisecond), payload), "011"},
		"WrongAccount":    {"key", "secret", strings.Replace(envelope(now, payload), "0xacc", "0xbad", 1), "002"},
		"NoPayload":       {"key", "secret", `{"account":"0xacc","timestamp":` + strconv.FormatInt(now.UnixMilli(), 10) + `}`, "001"},
		"UnknownCustomer": {"key", "secret", envelope(now, `{"customerId":"nobody"}`), "004"},
		"UnknownField":    {"key", "secret", envelope(now, `{"customer":"x"}`), "001"},
	} {
		status, out, _ := post(t, srv.BaseURL(), http.MethodPost, api+"customer/block", tc.key, tc.secret, tc.body)
		require.Equal(t, 400, status, name)
		require.Equal(t, tc.code, out["errorCode"], name)
		require.NotEmpty(t, out["message"], name)
	}
}

// TestFakeServesStatusFromItsState: block, a repeated block (answered with
// the customer unchanged), get and unblock agree with the stored customer.
func TestFakeServesStatusFromItsState(t *testing.T) {
	t.Parallel()
	srv := pursetest.NewServer(creds)
	defer srv.Close()
	c := srv.AddCustomer(purse.Customer{Email: "a@b.c"})
	payload := `{"customerId":"` + c.ID + `"}`
	for _, step := range []struct {
		path    string
		blocked bool
	}{
		{"customer/get", false},
		{"customer/block", true},
		{"customer/block", true},
		{"customer/get", true},
		{"customer/unblock", false},
		{"customer/unblock", false},
		{"customer/get", false},
	} {
		status, out, _ := post(t, srv.BaseURL(), http.MethodPost, api+step.path, "key", "secret", envelope(time.Now(), payload))
		require.Equal(t, 200, status, step.path)
		require.Equal(t, step.blocked, out["blocked"], step.path)
		require.Equal(t, c.ID, out["id"], step.path)
		stored, ok := srv.Customer(c.ID)
		require.True(t, ok)
		require.Equal(t, step.blocked, stored.Blocked, step.path)
	}
}

// TestFakeAnswersUnknownRoutesAsSpring: a path or method with no endpoint
// is answered as Spring Boot does, without an errorCode, before any
// credential is checked.
func TestFakeAnswersUnknownRoutesAsSpring(t *testing.T) {
	t.Parallel()
	srv := pursetest.NewServer(creds)
	defer srv.Close()
	for _, tc := range []struct {
		method, path string
		status       int
		reason       string
	}{
		{http.MethodPost, api + "customer/suspend", 404, "Not Found"},
		{http.MethodPost, "/customer/block", 404, "Not Found"},
		{http.MethodPost, api, 404, "Not Found"},
		{http.MethodGet, api + "customer/get", 405, "Method Not Allowed"},
	} {
		status, out, _ := post(t, srv.BaseURL(), tc.method, tc.path, "wrong", "wrong", `{}`)
		require.Equal(t, tc.status, status, tc.path)
		require.Equal(t, tc.reason, out["error"], tc.path)
		require.EqualValues(t, tc.status, out["status"], tc.path)
		require.Equal(t, tc.path, out["path"], tc.path)
		require.NotContains(t, out, "errorCode", tc.path)
	}
}

func TestFakeFaults(t *testing.T) {
	t.Parallel()
	srv := pursetest.NewServer(creds)
	defer srv.Close()
	srv.Inject(restricttest.Fault{Status: 503, Times: 1})
	status, _, _ := post(t, srv.BaseURL(), http.MethodPost, api+"customer/get", "key", "secret", envelope(time.Now(), `{"customerId":"x"}`))
	require.Equal(t, 503, status)
	status, out, _ := post(t, srv.BaseURL(), http.MethodPost, api+"customer/get", "key", "secret", envelope(time.Now(), `{"customerId":"x"}`))
	require.Equal(t, 400, status)
	require.Equal(t, "004", out["errorCode"])
	require.Equal(t, 2, srv.Requests())
}

// TestHandlerMounts: Handler serves the same fake, faults and state
// included, from another server.
func TestHandlerMounts(t *testing.T) {
	t.Parallel()
	srv := pursetest.NewServer(creds)
	defer srv.Close()
	other := httptest.NewServer(srv.Handler())
	defer other.Close()
	c := srv.AddCustomer(purse.Customer{ID: "fixed"})
	got, ok := srv.Customer("fixed")
	require.True(t, ok)
	require.Equal(t, c, got)
	_, ok = srv.Customer("missing")
	require.False(t, ok)

	status, out, _ := post(t, other.URL, http.MethodPost, api+"customer/block", "key", "secret", envelope(time.Now(), `{"customerId":"fixed"}`))
	require.Equal(t, 200, status)
	require.Equal(t, true, out["blocked"])
	got, _ = srv.Customer("fixed")
	require.True(t, got.Blocked)
	srv.Inject(restricttest.Fault{Status: 502, Times: 1})
	status, _, _ = post(t, other.URL, http.MethodPost, api+"customer/get", "key", "secret", envelope(time.Now(), `{"customerId":"fixed"}`))
	require.Equal(t, 502, status)
	require.Equal(t, 2, srv.Requests())
}

// TestFakeSendsDocumentedShapes: amounts are JSON numbers, as the
// transaction schema documents, and the page has its counts.
func TestFakeSendsDocumentedShapes(t *testing.T) {
	t.Parallel()
	srv := pursetest.NewServer(creds)
	defer srv.Close()
	c := srv.AddCustomer(purse.Customer{})
	tx := srv.AddTransaction(purse.Transaction{CustomerID: c.ID, Amount: "12.50", Currency: "USDT", TransactionState: "CONFIRMED"})
	status, out, _ := post(t, srv.BaseURL(), http.MethodPost, api+"transaction/get", "key", "secret", envelope(time.Now(), `{"transactionId":"`+tx.ID+`"}`))
	require.Equal(t, 200, status)
	require.Equal(t, 12.5, out["amount"])
	require.Equal(t, "CONFIRMED", out["transactionState"])

	status, out, _ = post(t, srv.BaseURL(), http.MethodPost, api+"transaction/find", "key", "secret",
		envelope(time.Now(), `{"pageNumber":0,"pageSize":10,"properties":"createdDate","sort":"DESC"}`))
	require.Equal(t, 200, status)
	require.EqualValues(t, 1, out["totalElements"])
	require.Len(t, out["result"], 1)
}
