package pursetest_test

import (
	"crypto/hmac"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict/purse"
	"github.com/restrictkit/restrict/purse/pursetest"
	"github.com/restrictkit/restrict/restricttest"
)

var creds = pursetest.Credentials{Account: "0xacc", Key: "key", Secret: "secret"}

// post sends body to path, signed with secret unless sign is given.
func post(t *testing.T, srv *pursetest.Server, path, key, secret, body string) (int, map[string]any, http.Header) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/api/v1/customer-purse/"+path, strings.NewReader(body))
	require.NoError(t, err)
	m := hmac.New(sha512.New, []byte(secret))
	m.Write([]byte(body))
	req.Header.Set("Key", key)
	req.Header.Set("Sign", hex.EncodeToString(m.Sum(nil)))
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return resp.StatusCode, out, resp.Header
}

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

	status, out, h := post(t, srv, "customer/block", "key", "secret", envelope(now.Add(-2*time.Minute), payload))
	require.Equal(t, 200, status)
	require.Equal(t, true, out["blocked"])
	require.Equal(t, now.Format(http.TimeFormat), h.Get("Date"))

	for name, tc := range map[string]struct {
		key, secret, body string
		status            int
		code              string
	}{
		"WrongKey":        {"other", "secret", envelope(now, payload), 400, "002"},
		"WrongSign":       {"key", "other", envelope(now, payload), 400, "003"},
		"TooOld":          {"key", "secret", envelope(now.Add(-3*time.Minute-time.Millisecond), payload), 400, "011"},
		"TooNew":          {"key", "secret", envelope(now.Add(3*time.Minute+time.Millisecond), payload), 400, "011"},
		"WrongAccount":    {"key", "secret", strings.Replace(envelope(now, payload), "0xacc", "0xbad", 1), 400, "002"},
		"NoPayload":       {"key", "secret", `{"account":"0xacc","timestamp":` + strconv.FormatInt(now.UnixMilli(), 10) + `}`, 400, "001"},
		"UnknownCustomer": {"key", "secret", envelope(now, `{"customerId":"nobody"}`), 400, "004"},
		"UnknownField":    {"key", "secret", envelope(now, `{"customer":"x"}`), 400, "001"},
	} {
		status, out, _ := post(t, srv, "customer/block", tc.key, tc.secret, tc.body)
		require.Equal(t, tc.status, status, name)
		require.Equal(t, tc.code, out["errorCode"], name)
		require.NotEmpty(t, out["message"], name)
	}
}

func TestFakeFaults(t *testing.T) {
	t.Parallel()
	srv := pursetest.NewServer(creds)
	defer srv.Close()
	srv.Inject(restricttest.Fault{Status: 503, Times: 1})
	status, _, _ := post(t, srv, "customer/get", "key", "secret", envelope(time.Now(), `{"customerId":"x"}`))
	require.Equal(t, 503, status)
	status, out, _ := post(t, srv, "customer/get", "key", "secret", envelope(time.Now(), `{"customerId":"x"}`))
	require.Equal(t, 400, status)
	require.Equal(t, "004", out["errorCode"])
	require.Equal(t, 2, srv.Requests())
}

func TestHandlerMounts(t *testing.T) {
	t.Parallel()
	h := pursetest.NewHandler(creds)
	mux := http.NewServeMux()
	mux.Handle("/api/", h)
	c := h.AddCustomer(purse.Customer{ID: "fixed"})
	got, ok := h.Customer("fixed")
	require.True(t, ok)
	require.Equal(t, c, got)
	_, ok = h.Customer("missing")
	require.False(t, ok)
}
