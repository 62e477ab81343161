package transport_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/transport"
	"github.com/restrictkit/restrict/restricttest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("net/http.(*persistConn).writeLoop"),
		goleak.IgnoreTopFunction("net/http.(*persistConn).readLoop"),
		goleak.IgnoreTopFunction("internal/poll.runtime_pollWait"))
}

const (
	testKey       = "key_0123456789abcdef"
	testSignature = "sig_fedcba9876543210"
)

var fast = restrict.WithRetry(restrict.RetryPolicy{MaxAttempts: 3, MinWait: time.Millisecond, MaxWait: 5 * time.Millisecond})

// recorder is a server that answers from a script and keeps what it was sent.
type recorder struct {
	mu      sync.Mutex
	bodies  []string
	headers []http.Header
	answer  func(n int, w http.ResponseWriter, r *http.Request)
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	rec.mu.Lock()
	rec.bodies = append(rec.bodies, string(b))
	rec.headers = append(rec.headers, r.Header.Clone())
	n := len(rec.bodies)
	rec.mu.Unlock()
	rec.answer(n, w, r)
}

func (rec *recorder) count() int {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return len(rec.bodies)
}

func status(code int, body string) func(int, http.ResponseWriter, *http.Request) {
	return func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(code)
		_, _ = io.WriteString(w, body)
	}
}

func serve(t *testing.T, answer func(int, http.ResponseWriter, *http.Request)) (*recorder, *httptest.Server) {
	t.Helper()
	rec := &recorder{answer: answer}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	return rec, srv
}

func newClient(t *testing.T, cfg transport.Config, opts ...restrict.Option) *transport.Client {
	t.Helper()
	if cfg.Provider == "" {
		cfg.Provider = "testprov"
	}
	c, err := transport.New(cfg, opts)
	require.NoError(t, err)
	return c
}

func op(idempotent bool) *transport.Operation {
	return &transport.Operation{Name: "BlockThing", Method: http.MethodPost, Path: "/v1/block", Body: map[string]string{"id": "c/1 ü"}, Idempotent: idempotent}
}

func TestAttemptsByStatusClass(t *testing.T) {
	t.Parallel()
	cases := []struct {
		status     int
		idempotent bool
		attempts   int
		class      error
	}{
		{200, true, 1, nil},
		{400, true, 1, restrict.ErrInvalidRequest},
		{401, true, 1, restrict.ErrUnauthorized},
		{403, true, 1, restrict.ErrForbidden},
		{404, true, 1, restrict.ErrInvalidRequest}, // a bare 404: the address is wrong
		{410, true, 1, restrict.ErrNotFound},
		{409, true, 1, restrict.ErrConflict},
		{422, true, 1, restrict.ErrInvalidRequest},
		{429, true, 3, restrict.ErrRateLimited},
		{429, false, 3, restrict.ErrRateLimited},
		{500, true, 3, restrict.ErrUnavailable},
		{500, false, 1, restrict.ErrUnavailable},
		{501, true, 1, restrict.ErrUnavailable},
		{502, true, 3, restrict.ErrUnavailable},
		{502, false, 1, restrict.ErrUnavailable},
		{503, true, 3, restrict.ErrUnavailable},
		{503, false, 1, restrict.ErrUnavailable},
		{504, true, 3, restrict.ErrUnavailable},
		{504, false, 1, restrict.ErrUnavailable},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%d idempotent=%v", tc.status, tc.idempotent), func(t *testing.T) {
			t.Parallel()
			rec, srv := serve(t, status(tc.status, `{"ok":true}`))
			c := newClient(t, transport.Config{}, restrict.WithBaseURL(srv.URL), fast)
			var out struct{ OK bool }
			meta, err := c.Do(context.Background(), op(tc.idempotent), &out)
			require.Equal(t, tc.attempts, rec.count())
			require.Equal(t, tc.attempts, meta.Attempts)
			require.Equal(t, tc.status, meta.StatusCode)
			if tc.class == nil {
				require.NoError(t, err)
				require.True(t, out.OK)
				return
			}
			require.ErrorIs(t, err, tc.class)
			var ae *restrict.APIError
			require.ErrorAs(t, err, &ae)
			require.Equal(t, tc.status, ae.StatusCode)
			require.Equal(t, tc.attempts, ae.Attempts)
			require.Equal(t, "testprov", ae.Provider)
			require.Equal(t, "BlockThing", ae.Operation)
			require.NotContains(t, err.Error(), "giving up")
		})
	}
}

func TestFixedSignerSendsIdenticalSignedBytesOnEveryAttempt(t *testing.T) {
	t.Parallel()
	rec, srv := serve(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n < 3 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		_, _ = io.WriteString(w, `{}`)
	})
	signer := transport.SignerFunc(func(_ context.Context, a *transport.Attempt) error {
		a.Header.Set("X-Digest", fmt.Sprintf("%x", a.Body))
		return nil
	})
	c := newClient(t, transport.Config{Signer: signer}, restrict.WithBaseURL(srv.URL), fast)
	_, err := c.Do(context.Background(), op(true), nil)
	require.NoError(t, err)
	require.Len(t, rec.bodies, 3)
	for i, b := range rec.bodies {
		require.JSONEq(t, `{"id":"c/1 ü"}`, b)
		require.Equal(t, rec.bodies[0], b, "attempt %d", i+1)
		require.Equal(t, fmt.Sprintf("%x", b), rec.headers[i].Get("X-Digest"), "signed bytes are the sent bytes")
		require.Equal(t, "application/json", rec.headers[i].Get("Content-Type"))
		require.Equal(t, "restrict-go/"+restrict.Version, rec.headers[i].Get("User-Agent"))
	}
}

func TestTimeBasedSignerRenewsBodyAndSignaturePerAttempt(t *testing.T) {
	t.Parallel()
	rec, srv := serve(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n < 3 {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		_, _ = io.WriteString(w, `{}`)
	})
	var ticks atomic.Int64
	clock := func() time.Time { return time.UnixMilli(1_700_000_000_000 + ticks.Add(1)*60_000) }
	signer := transport.SignerFunc(func(_ context.Context, a *transport.Attempt) error {
		a.Body = []byte(fmt.Sprintf(`{"timestamp":%d,"payload":%s}`, a.Now.UnixMilli(), a.Body))
		a.Header.Set("Sign", fmt.Sprintf("%x", a.Body))
		a.Header.Set("Attempt", fmt.Sprint(a.Number))
		return nil
	})
	c := newClient(t, transport.Config{Signer: signer}, restrict.WithBaseURL(srv.URL), restrict.WithClock(clock), fast)
	_, err := c.Do(context.Background(), op(true), nil)
	require.NoError(t, err)
	require.Len(t, rec.bodies, 3)
	seen := map[string]bool{}
	for i, b := range rec.bodies {
		var env struct {
			Timestamp int64
			Payload   map[string]string
		}
		require.NoError(t, json.Unmarshal([]byte(b), &env))
		require.Equal(t, "c/1 ü", env.Payload["id"])
		require.False(t, seen[b], "attempt %d repeats an earlier body", i+1)
		seen[b] = true
		require.Equal(t, fmt.Sprintf("%x", b), rec.headers[i].Get("Sign"))
		require.Equal(t, fmt.Sprint(i+1), rec.headers[i].Get("Attempt"))
		if i > 0 {
			var prev struct{ Timestamp int64 }
			require.NoError(t, json.Unmarshal([]byte(rec.bodies[i-1]), &prev))
			require.Greater(t, env.Timestamp, prev.Timestamp)
		}
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	t.Parallel()
	rec, srv := serve(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		_, _ = io.WriteString(w, `{}`)
	})
	c := newClient(t, transport.Config{}, restrict.WithBaseURL(srv.URL),
		restrict.WithRetry(restrict.RetryPolicy{MaxAttempts: 2, MinWait: time.Millisecond, MaxWait: 2 * time.Second}))
	start := time.Now()
	meta, err := c.Do(context.Background(), op(false), nil)
	require.NoError(t, err)
	require.Equal(t, 2, rec.count())
	require.Equal(t, 2, meta.Attempts)
	require.GreaterOrEqual(t, time.Since(start), 900*time.Millisecond, "the wait is the server's, not MinWait")
}

func TestRetryAfterLongerThanMaxWaitFailsAtOnce(t *testing.T) {
	t.Parallel()
	for _, header := range []string{"3600", time.Now().Add(2 * time.Hour).UTC().Format(http.TimeFormat)} {
		rec, srv := serve(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Retry-After", header)
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = io.WriteString(w, `{"message":"slow down"}`)
		})
		c := newClient(t, transport.Config{}, restrict.WithBaseURL(srv.URL),
			restrict.WithRetry(restrict.RetryPolicy{MaxAttempts: 5, MinWait: time.Millisecond, MaxWait: time.Second}))
		start := time.Now()
		_, err := c.Do(context.Background(), op(true), nil)
		require.Less(t, time.Since(start), 900*time.Millisecond)
		require.Equal(t, 1, rec.count())
		require.ErrorIs(t, err, restrict.ErrRateLimited)
		var ae *restrict.APIError
		require.ErrorAs(t, err, &ae)
		require.Greater(t, ae.RetryAfter, 59*time.Minute, header)
		require.Equal(t, 429, ae.StatusCode)
	}
}

func TestContextCancelledDuringBackoffReturnsAtOnce(t *testing.T) {
	t.Parallel()
	rec, srv := serve(t, status(http.StatusServiceUnavailable, ""))
	c := newClient(t, transport.Config{}, restrict.WithBaseURL(srv.URL),
		restrict.WithRetry(restrict.RetryPolicy{MaxAttempts: 3, MinWait: 10 * time.Second, MaxWait: 10 * time.Second}))
	ctx, cancel := context.WithCancel(context.Background())
	var cancelled time.Time
	go func() {
		for rec.count() == 0 {
			time.Sleep(time.Millisecond)
		}
		time.Sleep(20 * time.Millisecond)
		cancelled = time.Now()
		cancel()
	}()
	_, err := c.Do(ctx, op(true), nil)
	// 100 ms is the promise; the bound is looser so a loaded CI machine
	// cannot flake it, and still far below the 10 s backoff.
	require.Less(t, time.Since(cancelled), time.Second)
	require.ErrorIs(t, err, context.Canceled)
	require.Equal(t, 1, rec.count())
	var ae *restrict.APIError
	require.ErrorAs(t, err, &ae)
	require.Equal(t, 1, ae.Attempts)
}

func TestNonIdempotentRetriedOnlyWhenNoConnectionWasMade(t *testing.T) {
	t.Parallel()
	// Nothing listens on a port just closed: net/http tries to connect,
	// never does, and says so through httptrace, so the request provably
	// never left and is sent again.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closed := "http://" + ln.Addr().String()
	require.NoError(t, ln.Close())
	c := newClient(t, transport.Config{}, restrict.WithBaseURL(closed), fast)
	meta, err := c.Do(context.Background(), op(false), nil)
	require.ErrorIs(t, err, restrict.ErrUnavailable)
	require.Equal(t, 3, meta.Attempts, "a dial that failed is retried")

	// Over a real connection that breaks after the request went out, the
	// same operation is not repeated.
	rec, srv := serve(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			_ = conn.Close()
		}
	})
	c = newClient(t, transport.Config{}, restrict.WithBaseURL(srv.URL), fast)
	_, err = c.Do(context.Background(), op(false), nil)
	require.ErrorIs(t, err, restrict.ErrUnavailable)
	require.Equal(t, 1, rec.count())
	_, err = c.Do(context.Background(), op(true), nil)
	require.ErrorIs(t, err, restrict.ErrUnavailable)
	require.Equal(t, 4, rec.count(), "an idempotent call is retried after the same failure")
}

// A caller's RoundTripper that is not net/http's reports no connection
// events, so nothing shows whether the request left: it is taken to have
// arrived, and a call that must not run twice is sent once, whatever the
// error says.
func TestNonIdempotentNotRetriedWhenTheRoundTripperCannotTell(t *testing.T) {
	t.Parallel()
	mt := httpmock.NewMockTransport()
	mt.RegisterNoResponder(func(*http.Request) (*http.Response, error) {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	})
	c := newClient(t, transport.Config{}, restrict.WithBaseURL("https://api.example"), restrict.WithHTTPClient(&http.Client{Transport: mt}), fast)
	meta, err := c.Do(context.Background(), op(false), nil)
	require.ErrorIs(t, err, restrict.ErrUnavailable)
	require.Equal(t, 1, meta.Attempts)
	require.Equal(t, 1, mt.GetTotalCallCount())

	_, err = c.Do(context.Background(), op(true), nil)
	require.ErrorIs(t, err, restrict.ErrUnavailable)
	require.Equal(t, 4, mt.GetTotalCallCount(), "an idempotent call is retried")
}

func TestAnswerLostMidBodyIsRetriedWhenIdempotent(t *testing.T) {
	t.Parallel()
	var faults restricttest.Faults
	faults.Inject(restricttest.Fault{Status: 200, Body: `{"ok":true,"padding":"xxxxxxxx"}`, Reset: true, Times: 1})
	srv := httptest.NewServer(faults.Wrap(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, `{"ok":true}`)
	})))
	t.Cleanup(srv.Close)
	c := newClient(t, transport.Config{}, restrict.WithBaseURL(srv.URL), fast)
	var out struct{ OK bool }
	meta, err := c.Do(context.Background(), op(true), &out)
	require.NoError(t, err)
	require.True(t, out.OK)
	require.Equal(t, 2, meta.Attempts)
	require.Equal(t, 2, faults.Requests())
}

func TestAnswerSizeLimit(t *testing.T) {
	t.Parallel()
	big := `"` + strings.Repeat("a", transport.MaxResponseBytes) + `"`
	rec, srv := serve(t, status(200, big))
	c := newClient(t, transport.Config{}, restrict.WithBaseURL(srv.URL), fast)
	var out string
	_, err := c.Do(context.Background(), op(true), &out)
	require.ErrorIs(t, err, restrict.ErrUnavailable)
	require.Contains(t, err.Error(), "larger than 1 MiB")
	require.Equal(t, 1, rec.count(), "a body too large is not fetched again")

	exact := `"` + strings.Repeat("a", transport.MaxResponseBytes-2) + `"`
	_, srv = serve(t, status(200, exact))
	c = newClient(t, transport.Config{}, restrict.WithBaseURL(srv.URL), fast)
	_, err = c.Do(context.Background(), op(true), &out)
	require.NoError(t, err)
	require.Len(t, out, transport.MaxResponseBytes-2)
}

// sampleDecode decodes a made-up envelope: {"ok":true,"data":...} or
// {"ok":false,"code":"...","message":"...","fields":{...}}.
func sampleDecode(res *transport.Response, out any) error {
	var env struct {
		OK      bool                `json:"ok"`
		Data    json.RawMessage     `json:"data"`
		Code    string              `json:"code"`
		Message string              `json:"message"`
		Fields  map[string][]string `json:"fields"`
	}
	if err := transport.Unmarshal(res.Body, &env); err != nil {
		return err
	}
	if !env.OK {
		class := map[string]error{"E404": restrict.ErrNotFound, "E409": restrict.ErrConflict}[env.Code]
		return &restrict.APIError{Class: class, Code: env.Code, Message: env.Message, Fields: env.Fields}
	}
	return transport.Unmarshal(env.Data, out)
}

func TestErrorDecodingThroughProviderDecoder(t *testing.T) {
	t.Parallel()
	_, srv := serve(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("X-Request-Id", "req-42")
		w.WriteHeader(http.StatusOK) // an error body with 200, as some providers send
		_, _ = io.WriteString(w, `{"ok":false,"code":"E404","message":"wallet not found","fields":{"uuid":["unknown"]}}`)
	})
	c := newClient(t, transport.Config{Decode: sampleDecode}, restrict.WithBaseURL(srv.URL), fast)
	meta, err := c.Do(context.Background(), op(true), nil)
	require.ErrorIs(t, err, restrict.ErrNotFound)
	var ae *restrict.APIError
	require.ErrorAs(t, err, &ae)
	require.Equal(t, restrict.APIError{
		Provider: "testprov", Operation: "BlockThing", StatusCode: 200, Code: "E404", Message: "wallet not found",
		Fields: map[string][]string{"uuid": {"unknown"}}, Attempts: 1, RequestID: "req-42", Class: restrict.ErrNotFound,
	}, *ae)
	require.Equal(t, "req-42", meta.RequestID)

	// A code the decoder does not know falls back to the status class.
	_, srv = serve(t, status(http.StatusConflict, `{"ok":false,"code":"E999","message":"odd"}`))
	c = newClient(t, transport.Config{Decode: sampleDecode}, restrict.WithBaseURL(srv.URL), fast)
	_, err = c.Do(context.Background(), op(true), nil)
	require.ErrorIs(t, err, restrict.ErrConflict)

	// Success unwraps the envelope.
	_, srv = serve(t, status(200, `{"ok":true,"data":{"status":"blocked"}}`))
	c = newClient(t, transport.Config{Decode: sampleDecode}, restrict.WithBaseURL(srv.URL), fast)
	var out struct{ Status string }
	_, err = c.Do(context.Background(), op(true), &out)
	require.NoError(t, err)
	require.Equal(t, "blocked", out.Status)
}

func TestUnreadableAnswers(t *testing.T) {
	t.Parallel()
	for name, answer := range map[string]string{
		"truncated": `{"ok":true,"data":{"sta`,
		"html":      `<html><body>502 Bad Gateway</body></html>`,
		"empty":     ``,
	} {
		_, srv := serve(t, status(200, answer))
		c := newClient(t, transport.Config{Decode: sampleDecode}, restrict.WithBaseURL(srv.URL), fast)
		var out struct{ Status string }
		_, err := c.Do(context.Background(), op(true), &out)
		require.ErrorIs(t, err, restrict.ErrUnavailable, name)
		require.Contains(t, err.Error(), "unreadable answer", name)
	}
}

func TestNoSecretInErrorsOrLogs(t *testing.T) {
	t.Parallel()
	const token = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjk5OTk5OTk5OTl9.c2lnbmF0dXJl"
	rec, srv := serve(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		// A hostile or careless provider echoes what it was sent.
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = fmt.Fprintf(w, `{"ok":false,"code":%q,"message":"bad sign %s for key %s and %s","fields":{"sign":[%q]}}`,
			r.Header.Get("Sign"), r.Header.Get("Sign"), testKey, token, r.Header.Get("Authorization"))
	})
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	signer := transport.SignerFunc(func(_ context.Context, a *transport.Attempt) error {
		a.Header.Set("Sign", testSignature)
		a.Header.Set("Authorization", "Bearer "+token)
		return nil
	})
	c := newClient(t, transport.Config{Signer: signer, Decode: sampleDecode, Secrets: transport.NewSecrets(testKey), SecretHeaders: []string{"Sign", "Authorization"}},
		restrict.WithBaseURL(srv.URL+"/base"), restrict.WithLogger(logger), fast)
	_, err := c.Do(context.Background(), op(true), nil)
	require.Error(t, err)
	require.Equal(t, 3, rec.count())
	var ae *restrict.APIError
	require.ErrorAs(t, err, &ae)
	all := err.Error() + "\n" + fmt.Sprintf("%+v", ae) + "\n" + logs.String()
	for _, secret := range []string{testKey, testSignature, token} {
		require.NotContains(t, all, secret)
	}
	require.Contains(t, err.Error(), "[REDACTED]")

	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	require.Len(t, lines, 3, "one line per attempt")
	for i, line := range lines {
		require.Contains(t, line, "level=DEBUG")
		require.Contains(t, line, "method=POST")
		require.Contains(t, line, "host="+strings.TrimPrefix(srv.URL, "http://"))
		require.Contains(t, line, "path=/base/v1/block")
		require.Contains(t, line, "status=503")
		require.Contains(t, line, fmt.Sprintf("attempt=%d", i+1))
		require.Contains(t, line, "duration=")
	}
}

func TestSilentByDefault(t *testing.T) {
	t.Parallel()
	// retryablehttp logs to stderr unless told otherwise; nothing here
	// gives it a logger, and this test would show its [DEBUG] lines under -v.
	_, srv := serve(t, status(503, ""))
	c := newClient(t, transport.Config{}, restrict.WithBaseURL(srv.URL), fast)
	_, err := c.Do(context.Background(), op(true), nil)
	require.Error(t, err)
	require.False(t, c.Logger().Enabled(context.Background(), slog.LevelError))
}

func TestInsecureHTTPRule(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"http://127.0.0.1:8080", "http://localhost", "http://[::1]:9", "http://127.8.9.10", "https://api.example.com/base"} {
		_, err := transport.New(transport.Config{Provider: "p"}, []restrict.Option{restrict.WithBaseURL(u)})
		require.NoError(t, err, u)
	}
	for _, u := range []string{"http://20.87.230.105/platform/wallets", "http://api.example.com", "http://10.0.0.1"} {
		_, err := transport.New(transport.Config{Provider: "p"}, []restrict.Option{restrict.WithBaseURL(u)})
		require.ErrorIs(t, err, restrict.ErrInvalidRequest, u)
		require.Contains(t, err.Error(), "WithInsecureHTTP")
		_, err = transport.New(transport.Config{Provider: "p"}, []restrict.Option{restrict.WithBaseURL(u), restrict.WithInsecureHTTP()})
		require.NoError(t, err, u)
	}
	_, err := transport.New(transport.Config{Provider: "p", DefaultBaseURL: "http://api.example.com"}, nil)
	require.ErrorIs(t, err, restrict.ErrInvalidRequest, "the rule applies to defaults too")
}

func TestBaseURLRequiredWhenProviderHasNone(t *testing.T) {
	t.Parallel()
	_, err := transport.New(transport.Config{Provider: "customerv2"}, nil)
	require.ErrorIs(t, err, restrict.ErrInvalidRequest)
	require.Contains(t, err.Error(), "WithBaseURL")
	_, err = transport.New(transport.Config{Provider: "p"}, []restrict.Option{restrict.WithRetry(restrict.RetryPolicy{})})
	require.ErrorIs(t, err, restrict.ErrInvalidRequest)
}

func TestPathParamsAreEscapedAndConfined(t *testing.T) {
	t.Parallel()
	mt := httpmock.NewMockTransport()
	var got []string
	mt.RegisterNoResponder(func(r *http.Request) (*http.Response, error) {
		got = append(got, r.URL.EscapedPath()+"?"+r.URL.RawQuery)
		return httpmock.NewStringResponse(200, `{}`), nil
	})
	c := newClient(t, transport.Config{}, restrict.WithBaseURL("https://api.example/payment/"), restrict.WithHTTPClient(&http.Client{Transport: mt}))
	o := &transport.Operation{Name: "Block", Method: http.MethodPost, Path: "/v1/customer/{customerUuid}/block",
		Idempotent: true, Query: struct {
			Action string `url:"action"`
		}{"FREEZE"}}
	for _, id := range []string{"abc-123", "a b?c#d%e", "ü"} {
		o.PathParams = map[string]string{"customerUuid": id}
		_, err := c.Do(context.Background(), o, nil)
		require.NoError(t, err)
	}
	require.Equal(t, []string{
		"/payment/v1/customer/abc-123/block?action=FREEZE",
		"/payment/v1/customer/a%20b%3Fc%23d%25e/block?action=FREEZE",
		"/payment/v1/customer/%C3%BC/block?action=FREEZE",
	}, got)
	for _, id := range []string{"", ".", "..", "../x", "a/b", `a\b`, "a\x00b", "a\nb", "a\x7fb", "x/../../admin"} {
		o.PathParams = map[string]string{"customerUuid": id}
		_, err := c.Do(context.Background(), o, nil)
		require.ErrorIs(t, err, restrict.ErrInvalidRequest, "%q", id)
		var ae *restrict.APIError
		require.ErrorAs(t, err, &ae)
		require.Contains(t, ae.Fields, "customerUuid")
		require.Zero(t, ae.Attempts)
	}
	require.Len(t, got, 3, "no refused value was sent")
}

func TestRedirectsAreNotFollowed(t *testing.T) {
	t.Parallel()
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { elsewhere.Add(1) }))
	t.Cleanup(other.Close)
	_, srv := serve(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL, http.StatusTemporaryRedirect)
	})
	mine := &http.Client{}
	c := newClient(t, transport.Config{}, restrict.WithBaseURL(srv.URL), restrict.WithHTTPClient(mine), fast)
	_, err := c.Do(context.Background(), op(true), nil)
	require.ErrorIs(t, err, restrict.ErrUnavailable)
	require.Zero(t, elsewhere.Load())
	require.Nil(t, mine.CheckRedirect, "the caller's client is not changed")
}

func TestConnectionsAreReused(t *testing.T) {
	t.Parallel()
	var conns atomic.Int32
	n := 0
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		n++
		if n%2 == 0 {
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"message":"`+strings.Repeat("x", 8000)+`"}`)
			return
		}
		_, _ = io.WriteString(w, `{}`)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	c := newClient(t, transport.Config{}, restrict.WithBaseURL(srv.URL), fast)
	for i := 0; i < 50; i++ {
		_, _ = c.Do(context.Background(), op(true), nil)
	}
	require.EqualValues(t, 1, conns.Load(), "answers, errors included, are drained so the connection is reused")
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	for n := 0; n < 40; n++ {
		d := transport.Backoff(200*time.Millisecond, 5*time.Second, n)
		require.GreaterOrEqual(t, d, 200*time.Millisecond)
		require.LessOrEqual(t, d, 5*time.Second)
	}
	require.LessOrEqual(t, transport.Backoff(100*time.Millisecond, time.Second, 0), 100*time.Millisecond)
	require.GreaterOrEqual(t, transport.Backoff(100*time.Millisecond, 10*time.Second, 3), 400*time.Millisecond)
	require.Zero(t, transport.Backoff(0, 0, 5))
}

func TestSnippet(t *testing.T) {
	t.Parallel()
	var res transport.Response
	require.Equal(t, "<html> <body>Bad Gateway</body>", res.Snippet([]byte("  <html>\n<body>Bad Gateway</body>\x00")))
	require.Equal(t, "token [REDACTED] rest", res.Snippet([]byte("token eyJhbGciOi.eyJzdWIi.sig-_ rest")))
	require.Len(t, []rune(res.Snippet(bytes.Repeat([]byte("é"), 500))), 81)
}

func httptestServer(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func TestPrintingAClientShowsNoSecret(t *testing.T) {
	t.Parallel()
	auth := transport.NewTokenAuth(func(context.Context) (string, error) { return "tok_abcdefgh12345678", nil }, time.Now, nil, nil)
	_, err := auth.Token(context.Background())
	require.NoError(t, err)
	c := newClient(t, transport.Config{Signer: auth, Secrets: transport.NewSecrets(testKey)}, restrict.WithBaseURL("https://api.example"))
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("client", "c", c, "auth", auth)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		out := fmt.Sprintf(verb, c) + fmt.Sprintf(verb, auth) + logs.String()
		require.NotContains(t, out, testKey, verb)
		require.NotContains(t, out, "tok_abcdefgh12345678", verb)
	}
	require.Contains(t, fmt.Sprint(c), "api.example")
}

func TestNonIdempotentNotRetriedOnAnyAnswerEvenWithoutTrace(t *testing.T) {
	t.Parallel()
	for _, code := range []int{500, 502, 503, 504} {
		mt := httpmock.NewMockTransport()
		mt.RegisterNoResponder(httpmock.NewStringResponder(code, `{}`))
		c := newClient(t, transport.Config{}, restrict.WithBaseURL("https://api.example"), restrict.WithHTTPClient(&http.Client{Transport: mt}), fast)
		_, err := c.Do(context.Background(), op(false), nil)
		require.ErrorIs(t, err, restrict.ErrUnavailable)
		require.Equal(t, 1, mt.GetTotalCallCount(), "status %d", code)
	}
}

func TestIdentifierChecks(t *testing.T) {
	t.Parallel()
	require.Empty(t, transport.CheckID("acc-1"))
	require.Empty(t, transport.CheckUUID("6D962783-f0cf-420d-a511-3a48c71c5595"))
	for _, bad := range []string{"", "  ", strings.Repeat("a", transport.MaxIDLength+1), "a\x00b", "a\tb"} {
		require.NotEmpty(t, transport.CheckID(bad), "%q", bad)
		require.NotEmpty(t, transport.CheckUUID(bad), "%q", bad)
	}
	for _, bad := range []string{"6d962783f0cf420da5113a48c71c5595", "6d962783-f0cf-420d-a511-3a48c71c559", "6d962783-f0cf-420d-a511-3a48c71c559g", "{6d962783-f0cf-420d-a511-3a48c71c5595}"} {
		require.False(t, transport.IsUUID(bad), bad)
		require.NotEmpty(t, transport.CheckUUID(bad), bad)
	}
	require.Empty(t, transport.CheckID(strings.Repeat("a", transport.MaxIDLength)))
}

// When retries run out, retryablehttp closes its HTTP client's idle
// connections. The pool is shared by every call of the client (and, for a
// caller's client without a Transport, by the whole process), so a failed
// call must not empty it: the next call reuses the connection.
func TestAFailedCallKeepsThePool(t *testing.T) {
	t.Parallel()
	var conns, n atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if n.Add(1) <= 3 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		_, _ = io.WriteString(w, `{}`)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	for _, hc := range []*http.Client{{Transport: &http.Transport{}}, {}} {
		conns.Store(0)
		n.Store(0)
		c := newClient(t, transport.Config{}, restrict.WithBaseURL(srv.URL), restrict.WithHTTPClient(hc), fast)
		_, err := c.Do(context.Background(), op(true), nil)
		require.ErrorIs(t, err, restrict.ErrUnavailable)
		_, err = c.Do(context.Background(), op(true), nil)
		require.NoError(t, err)
		require.EqualValues(t, 1, conns.Load(), "the failed call left its connection in the pool")
	}
}

// A bare 404, one no provider envelope explains, says the address is wrong
// rather than that a customer does not exist, and is not retried.
func TestBare404SaysTheAddressIsWrong(t *testing.T) {
	t.Parallel()
	rec, srv := serve(t, status(404, "404 page not found\n"))
	c := newClient(t, transport.Config{}, restrict.WithBaseURL(srv.URL), fast)
	_, err := c.Do(context.Background(), op(true), nil)
	require.ErrorIs(t, err, restrict.ErrInvalidRequest)
	require.NotErrorIs(t, err, restrict.ErrNotFound)
	require.Contains(t, err.Error(), "HTTP 404")
	require.Contains(t, err.Error(), "base URL or path is likely wrong")
	require.Contains(t, err.Error(), "404 page not found")
	require.Equal(t, 1, rec.count())
}

// A Retry-After too large for an integer is a very long wait, not none.
func TestRetryAfterBeyondAnIntegerFailsAtOnce(t *testing.T) {
	t.Parallel()
	rec, srv := serve(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "99999999999999999999")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	c := newClient(t, transport.Config{}, restrict.WithBaseURL(srv.URL), fast)
	_, err := c.Do(context.Background(), op(true), nil)
	require.ErrorIs(t, err, restrict.ErrRateLimited)
	var ae *restrict.APIError
	require.ErrorAs(t, err, &ae)
	require.Greater(t, ae.RetryAfter, 100*365*24*time.Hour)
	require.Equal(t, 1, rec.count(), "not retried at once")
}

// password is a credential with every character an encoding changes.
const password = "Tr0ub4dor&3<horse>/\"x'"

// secretForms are the ways a server may echo password back: raw,
// JSON-escaped by Go and by PHP, HTML-escaped, URL-encoded, and the base64
// of an HTTP Basic credential.
func secretForms() map[string]string {
	j, _ := json.Marshal(password)
	js := string(j[1 : len(j)-1])
	return map[string]string{
		"raw":        password,
		"json":       js,
		"php json":   strings.ReplaceAll(strings.NewReplacer(`\u0026`, "&", `\u003c`, "<", `\u003e`, ">").Replace(js), "/", `\/`),
		"html":       html.EscapeString(password),
		"html named": strings.NewReplacer("&#34;", "&quot;", "&#39;", "&#x27;").Replace(html.EscapeString(password)),
		"query":      url.QueryEscape(password),
		"path":       url.PathEscape(password),
		"lower hex":  strings.NewReplacer("%3C", "%3c", "%3E", "%3e", "%2F", "%2f").Replace(url.QueryEscape(password)),
		"base64":     base64.StdEncoding.EncodeToString([]byte(password)),
	}
}

// requireNoFragment fails when text holds any 8 consecutive characters of
// secret: a cut secret leaks as well as a whole one.
func requireNoFragment(t *testing.T, text, secret, msg string) {
	t.Helper()
	for i := 0; i+8 <= len(secret); i++ {
		require.NotContains(t, text, secret[i:i+8], "%s: fragment %q of a secret", msg, secret[i:i+8])
	}
}

// An error page that quotes the rejected credential, in any encoding and
// at any place (right where the excerpt is cut included), leaves no part of
// it in the error, whichever way the error is printed.
func TestEchoedSecretsAreScrubbedBeforeTheExcerptIsCut(t *testing.T) {
	t.Parallel()
	for name, form := range secretForms() {
		for _, pad := range []int{0, 60, 70, 75} {
			page := "<html><body>" + strings.Repeat("x", pad) + form + " was rejected</body></html>"
			_, srv := serve(t, status(http.StatusUnauthorized, page))
			c := newClient(t, transport.Config{Secrets: transport.NewSecrets(password)}, restrict.WithBaseURL(srv.URL), fast)
			_, err := c.Do(context.Background(), op(true), nil)
			require.ErrorIs(t, err, restrict.ErrUnauthorized)
			b, jerr := json.Marshal(err)
			require.NoError(t, jerr)
			out := err.Error() + fmt.Sprintf("%v %+v %#v %s", err, err, err, b)
			for _, f := range secretForms() {
				requireNoFragment(t, out, f, fmt.Sprintf("%s at %d", name, pad))
			}
		}
	}
}

// Every text an error carries is scrubbed: the message, the code, each
// field name and problem, and the request ID.
func TestEveryTextOfAnErrorIsScrubbed(t *testing.T) {
	t.Parallel()
	_, srv := serve(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("X-Request-Id", "req-"+url.QueryEscape(password))
		w.WriteHeader(http.StatusOK)
		_, _ = fmt.Fprintf(w, `{"ok":false,"code":%q,"message":%q,"fields":{%q:[%q]}}`,
			password, html.EscapeString(password), password, base64.StdEncoding.EncodeToString([]byte(password)))
	})
	c := newClient(t, transport.Config{Decode: sampleDecode, Secrets: transport.NewSecrets(password)}, restrict.WithBaseURL(srv.URL), fast)
	_, err := c.Do(context.Background(), op(true), nil)
	var ae *restrict.APIError
	require.ErrorAs(t, err, &ae)
	b, _ := json.Marshal(ae)
	out := fmt.Sprintf("%v %+v %#v %s %s", ae, ae, ae, ae.RequestID, b)
	for k, vs := range ae.Fields {
		out += k + strings.Join(vs, ",")
	}
	for _, f := range secretForms() {
		requireNoFragment(t, out, f, "error")
	}
	require.Equal(t, "req-[REDACTED]", ae.RequestID)
}

// net/http quotes a malformed answer header verbatim in its error. A
// server that echoes a credential there must not get it into the error,
// however the error is printed or unwrapped.
func TestNetworkErrorQuotingASecretIsScrubbed(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				buf := make([]byte, 4096)
				_, _ = conn.Read(buf)
				_, _ = io.WriteString(conn, "HTTP/1.1 200 OK\r\nsecret is "+password+"\r\nContent-Length: 2\r\n\r\n{}")
			}()
		}
	}()
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := newClient(t, transport.Config{Secrets: transport.NewSecrets(password)}, restrict.WithBaseURL("http://"+ln.Addr().String()),
		restrict.WithLogger(logger), fast)
	_, err = c.Do(context.Background(), op(true), nil)
	require.ErrorIs(t, err, restrict.ErrUnavailable)
	require.Contains(t, err.Error(), "malformed")
	out := fmt.Sprintf("%v %+v %#v", err, err, err) + logs.String()
	for e := errors.Unwrap(err); e != nil; e = errors.Unwrap(e) {
		out += fmt.Sprintf("%v %#v", e, e)
	}
	requireNoFragment(t, out, password, "network error")
	require.Contains(t, err.Error(), "[REDACTED]")
}

func TestCheckCredential(t *testing.T) {
	t.Parallel()
	require.Empty(t, transport.CheckCredential(password))
	for bad, want := range map[string]string{
		"":            "is required",
		"   ":         "is required",
		"key\r\nX: y": "control characters",
		"key\x00":     "control characters",
		" key":        "white space",
		"key\n":       "control characters",
	} {
		require.Contains(t, transport.CheckCredential(bad), want, "%q", bad)
	}
}

func TestStripBearer(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"tok-123":          "tok-123",
		"Bearer tok-123":   "tok-123",
		"bearer  tok-123 ": "tok-123",
		"BEARER tok-123":   "tok-123",
		"Bearer":           "",
		" bearer ":         "",
		"Bearertok":        "Bearertok",
	} {
		require.Equal(t, want, transport.StripBearer(in), "%q", in)
	}
}

// A secret that starts like a JWT but is not one is replaced whole: the
// JWT shape rule runs after the known secrets, not before.
func TestSecretShapedLikeAJWTIsScrubbedWhole(t *testing.T) {
	t.Parallel()
	const secret = "eyJtoken!with:other*chars"
	s := transport.NewSecrets(secret)
	require.Equal(t, "token [REDACTED] end", s.Scrub("token "+secret+" end"))
	require.Equal(t, "a [REDACTED] b", s.Scrub("a eyJhbGciOi.eyJzdWIi.sig b"))
}

// Calling Call fills the result's Meta from the exchange.
func TestCallFillsMeta(t *testing.T) {
	t.Parallel()
	_, srv := serve(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("X-Request-Id", "req-7")
		_, _ = io.WriteString(w, `{"status":"blocked"}`)
	})
	c := newClient(t, transport.Config{}, restrict.WithBaseURL(srv.URL), fast)
	type result struct {
		Status string `json:"status"`
		restrict.Meta
	}
	res, err := transport.Call[result](context.Background(), c, op(true))
	require.NoError(t, err)
	require.Equal(t, "blocked", res.Status)
	require.Equal(t, restrict.Meta{StatusCode: 200, RequestID: "req-7", Attempts: 1}, res.Meta)
}

// A refusal that says the target is already in the state asked for is the
// contract's success; nothing else is.
func TestAlreadyInState(t *testing.T) {
	t.Parallel()
	already := func(msg string) bool { return strings.Contains(msg, "already frozen") }
	refusal := &restrict.APIError{Operation: "Freeze", StatusCode: 409, Attempts: 2, RequestID: "r-1", Class: restrict.ErrConflict, Message: "Account ALREADY FROZEN"}
	meta, ok := transport.AlreadyInState(fmt.Errorf("wrapped: %w", refusal), "Freeze", already)
	require.True(t, ok)
	require.Equal(t, restrict.Meta{StatusCode: 409, RequestID: "r-1", Attempts: 2}, meta)
	for name, err := range map[string]error{
		"another operation": &restrict.APIError{Operation: "Login", StatusCode: 409, Class: restrict.ErrConflict, Message: "already frozen"},
		"a local check":     &restrict.APIError{Operation: "Freeze", Class: restrict.ErrInvalidRequest, Message: "already frozen"},
		"another class":     &restrict.APIError{Operation: "Freeze", StatusCode: 403, Class: restrict.ErrForbidden, Message: "already frozen"},
		"another message":   &restrict.APIError{Operation: "Freeze", StatusCode: 400, Class: restrict.ErrInvalidRequest, Message: "bad id"},
		"not an APIError":   errors.New("already frozen"),
	} {
		_, ok := transport.AlreadyInState(err, "Freeze", already)
		require.False(t, ok, name)
	}
}
