package conformance_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/testkit"
	"github.com/restrictkit/restrict/restricttest"
)

// fastRetry keeps retried rows quick; rows that test waits set their own.
var fastRetry = restrict.RetryPolicy{MaxAttempts: 3, MinWait: time.Millisecond, MaxWait: 10 * time.Millisecond}

// row is one fault. The expectation is the same for every provider: that
// is the promise of the root package.
type row struct {
	name    string
	faults  func(e *env, lift bool) []restricttest.Fault
	policy  restrict.RetryPolicy
	timeout time.Duration // the http.Client's, per attempt
	cancel  bool          // cancel the context once the first attempt is answered

	want       error // nil: success
	attempts   int
	retryAfter time.Duration
	minElapsed time.Duration
	maxElapsed time.Duration
}

func fixed(f ...restricttest.Fault) func(*env, bool) []restricttest.Fault {
	return func(*env, bool) []restricttest.Fault { return f }
}

func body(e *env, lift bool) string {
	if lift {
		return e.lifted
	}
	return e.success
}

var rows = []row{
	{
		name:   "429 with Retry-After 1 is honoured",
		faults: fixed(restricttest.Fault{Status: 429, Header: restricttest.RetryAfter(1), Times: 1}),
		policy: restrict.RetryPolicy{MaxAttempts: 3, MinWait: time.Millisecond, MaxWait: 2 * time.Second},
		want:   nil, attempts: 2, minElapsed: 900 * time.Millisecond,
	},
	{
		name:   "429 with Retry-After 3600 fails at once",
		faults: fixed(restricttest.Fault{Status: 429, Header: restricttest.RetryAfter(3600)}),
		want:   restrict.ErrRateLimited, attempts: 1, retryAfter: time.Hour, maxElapsed: 2 * time.Second,
	},
	{
		name:   "503 twice then success",
		faults: fixed(restricttest.Fault{Status: 503, Times: 2}),
		want:   nil, attempts: 3,
	},
	{
		name:   "500 on an idempotent call is retried",
		faults: fixed(restricttest.Fault{Status: 500, Body: `{"message":"Server error, #1","code":500,"error":null}`}),
		want:   restrict.ErrUnavailable, attempts: 3,
	},
	{
		name: "connection reset mid-answer",
		faults: func(e *env, lift bool) []restricttest.Fault {
			return []restricttest.Fault{{Status: 200, Body: body(e, lift), ContentType: "application/json", Reset: true}}
		},
		want: restrict.ErrUnavailable, attempts: 3,
	},
	{
		name:   "server slower than the client's timeout",
		faults: fixed(restricttest.Fault{Delay: 10 * time.Second}),
		// Long enough that a loaded machine still hands every attempt to
		// the fake before it times out, so the fake's count is exact.
		timeout: 500 * time.Millisecond,
		want:    restrict.ErrUnavailable, attempts: 3, minElapsed: 1500 * time.Millisecond, maxElapsed: 8 * time.Second,
	},
	{
		name: "truncated JSON",
		faults: func(e *env, lift bool) []restricttest.Fault {
			b := body(e, lift)
			return []restricttest.Fault{{Status: 200, Body: b[:len(b)/2], ContentType: "application/json"}}
		},
		want: restrict.ErrUnavailable, attempts: 1,
	},
	{
		name: "HTML page with 502, as a proxy sends",
		faults: fixed(restricttest.Fault{Status: 502, ContentType: "text/html",
			Body: "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"}),
		want: restrict.ErrUnavailable, attempts: 3,
	},
	{
		name:   "10 MiB body",
		faults: fixed(restricttest.Fault{Status: 200, ContentType: "application/json", Body: `{"pad":"` + strings.Repeat("a", 10<<20) + `"}`}),
		want:   restrict.ErrUnavailable, attempts: 1,
	},
	{
		name: "wrong Content-Type on a good answer",
		faults: func(e *env, lift bool) []restricttest.Fault {
			return []restricttest.Fault{{Status: 200, Body: body(e, lift), ContentType: "text/html; charset=utf-8", Times: 1}}
		},
		want: nil, attempts: 1,
	},
	{
		name:   "empty 200",
		faults: fixed(restricttest.Fault{Status: 200}),
		want:   restrict.ErrUnavailable, attempts: 1,
	},
	{
		name:   "context cancelled during backoff",
		faults: fixed(restricttest.Fault{Status: 503}),
		policy: restrict.RetryPolicy{MaxAttempts: 3, MinWait: 10 * time.Second, MaxWait: 10 * time.Second},
		cancel: true,
		want:   context.Canceled, attempts: 1, maxElapsed: 3 * time.Second,
	},
}

// syncBuffer collects log output from concurrent attempts.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// harness is one client under test with everything it sends, logs and
// records as telemetry captured.
type harness struct {
	opts []restrict.Option
	logs *syncBuffer
	sent *recordingTransport
	tel  *testkit.Telemetry
}

func newHarness(t *testing.T, policy restrict.RetryPolicy, timeout time.Duration) *harness {
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	if policy == (restrict.RetryPolicy{}) {
		policy = fastRetry
	}
	h := &harness{logs: &syncBuffer{}, sent: &recordingTransport{base: tr, seen: make(chan string, 256)}, tel: testkit.NewTelemetry(t)}
	h.opts = append([]restrict.Option{
		restrict.WithHTTPClient(&http.Client{Transport: h.sent, Timeout: timeout}),
		restrict.WithLogger(slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))),
		restrict.WithRetry(policy),
	}, h.tel.Options()...)
	return h
}

// requireNoSecret checks an error, every captured log line and every span
// and metric recorded for each credential the client was given and every
// signature or token it sent; and the telemetry for the targets' IDs and
// reasons too, which logs may hold but spans and metrics never.
func (h *harness) requireNoSecret(t *testing.T, e *env, err error) {
	t.Helper()
	secrets := append([]string(nil), e.secrets...)
	close(h.sent.seen)
	for v := range h.sent.seen {
		secrets = append(secrets, v)
		if _, rest, ok := strings.Cut(v, " "); ok {
			secrets = append(secrets, rest)
		}
	}
	var text string
	if err != nil {
		text = err.Error() + "\n" + fmt.Sprintf("%+v %#v", err, err)
	}
	text += "\n" + h.logs.String()
	telemetry := h.tel.Text(t)
	for _, s := range secrets {
		require.NotContains(t, text, s, "a secret surfaced")
		require.NotContains(t, telemetry, s, "a secret surfaced in a span or a metric")
	}
	for _, target := range []restrict.Target{e.target, e.unknown} {
		for _, s := range []string{target.ID, target.Reason} {
			if s != "" {
				require.NotContains(t, telemetry, s, "a target surfaced in a span or a metric")
			}
		}
	}
}

func attemptsOf(t *testing.T, res *restrict.Result, err error) int {
	t.Helper()
	if err == nil {
		return res.Attempts
	}
	var ae *restrict.APIError
	require.ErrorAs(t, err, &ae, "every failure is an *APIError")
	return ae.Attempts
}

func TestFaultMatrix(t *testing.T) {
	t.Parallel()
	for _, s := range subjects {
		methods := []string{"Restrict"}
		if s.lift {
			methods = append(methods, "Lift")
		}
		for _, method := range methods {
			for _, r := range rows {
				s, method, r := s, method, r
				t.Run(s.name+"/"+method+"/"+r.name, func(t *testing.T) {
					t.Parallel()
					e := s.start(t)
					h := newHarness(t, r.policy, r.timeout)
					c, err := e.newClient(h.opts...)
					require.NoError(t, err)
					e.fake.Inject(r.faults(e, method == "Lift")...)

					ctx, cancel := context.WithCancel(context.Background())
					defer cancel()
					if r.cancel {
						go func() {
							for e.fake.Requests() == 0 && ctx.Err() == nil {
								time.Sleep(time.Millisecond)
							}
							time.Sleep(50 * time.Millisecond) // into the backoff
							cancel()
						}()
					}
					call := c.Restrict
					if method == "Lift" {
						call = c.Lift
					}
					start := time.Now()
					res, err := call(ctx, e.target)
					elapsed := time.Since(start)

					if r.want == nil {
						require.NoError(t, err)
						require.Equal(t, e.target.ID, res.TargetID)
						require.Equal(t, s.name, res.Provider)
					} else {
						require.ErrorIs(t, err, r.want)
						require.Nil(t, res)
					}
					require.Equal(t, r.attempts, attemptsOf(t, res, err), "attempts")
					require.Equal(t, r.attempts, e.fake.Requests(), "requests the fake saw")
					if r.retryAfter != 0 {
						var ae *restrict.APIError
						require.ErrorAs(t, err, &ae)
						require.Equal(t, r.retryAfter, ae.RetryAfter)
					}
					require.GreaterOrEqual(t, elapsed, r.minElapsed)
					if r.maxElapsed != 0 {
						require.Less(t, elapsed, r.maxElapsed)
					}
					h.requireNoSecret(t, e, err)
				})
			}
		}
	}
}

// A call that must not run twice (a refund, a create) gets one attempt on
// a 500 or a 503, where a block would get three.
func TestNonIdempotentCallsAreNotRepeated(t *testing.T) {
	t.Parallel()
	for _, s := range subjects {
		s := s
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			e := s.start(t)
			if e.once == nil {
				// kpayment and walletplatform document no call with a side
				// effect that repeats: block, freeze and unfreeze are safe
				// to send again, and are retried (TestFaultMatrix).
				require.Contains(t, []string{"kpayment", "walletplatform"}, s.name)
				return
			}
			for _, status := range []int{500, 502, 503, 504} {
				h := newHarness(t, fastRetry, 0)
				before := e.fake.Requests()
				e.fake.Inject(restricttest.Fault{Status: status, Body: `{"message":"Server error, #1","code":500,"error":null}`, Times: 1})
				err := e.once(context.Background(), h.opts...)
				require.ErrorIs(t, err, restrict.ErrUnavailable, "status %d", status)
				require.Equal(t, 1, e.fake.Requests()-before, "status %d: sent once", status)
				h.requireNoSecret(t, e, err)
			}
			// 429 means the provider refused before doing anything: retried.
			h := newHarness(t, fastRetry, 0)
			before := e.fake.Requests()
			e.fake.Inject(restricttest.Fault{Status: 429, Header: restricttest.RetryAfter(0), Times: 1})
			_ = e.once(context.Background(), h.opts...)
			require.Equal(t, 2, e.fake.Requests()-before)
		})
	}
}

func TestLiftWithoutProviderSupportSendsNothing(t *testing.T) {
	t.Parallel()
	for _, s := range subjects {
		if s.lift {
			continue
		}
		s := s
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			e := s.start(t)
			h := newHarness(t, fastRetry, 0)
			c, err := e.newClient(h.opts...)
			require.NoError(t, err)
			res, err := c.Lift(context.Background(), e.target)
			require.Nil(t, res)
			require.ErrorIs(t, err, restrict.ErrUnsupported)
			require.ErrorIs(t, err, errors.ErrUnsupported)
			require.Zero(t, e.fake.Requests())
		})
	}
}

func TestRestrictThenLiftAgainstEveryFake(t *testing.T) {
	t.Parallel()
	for _, s := range subjects {
		s := s
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			e := s.start(t)
			h := newHarness(t, fastRetry, 0)
			c, err := e.newClient(h.opts...)
			require.NoError(t, err)
			res, err := c.Restrict(context.Background(), e.target)
			require.NoError(t, err)
			require.Equal(t, restrict.StateRestricted, res.State)
			require.Equal(t, 200, res.StatusCode)
			require.Equal(t, 1, res.Attempts)
			require.Contains(t, h.logs.String(), `msg="restrict: Restrict" provider=`+s.name+" operation=Restrict target="+e.target.ID,
				"every provider logs the target one way")
			require.Contains(t, h.logs.String(), e.target.Reason, "the reason is logged")
			if s.lift {
				res, err = c.Lift(context.Background(), e.target)
				require.NoError(t, err)
				require.Equal(t, restrict.StateActive, res.State)
			}
			h.requireNoSecret(t, e, nil)
		})
	}
}
