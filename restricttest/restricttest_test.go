package restricttest_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/restricttest"
)

func TestFakeKeepsStateAndRecordsCalls(t *testing.T) {
	t.Parallel()
	f := &restricttest.Fake{Provider: "purse"}
	ctx := context.Background()
	require.Equal(t, restrict.StateUnknown, f.State("c1"))
	res, err := f.Restrict(ctx, restrict.Target{ID: "c1", Reason: "fraud"})
	require.NoError(t, err)
	require.Equal(t, restrict.Result{Provider: "purse", Action: restrict.ActionBlock, TargetID: "c1", State: restrict.StateRestricted,
		Meta: restrict.Meta{StatusCode: 200, Attempts: 1}}, *res)
	require.Equal(t, restrict.StateRestricted, f.State("c1"))
	res, err = f.Lift(ctx, restrict.Target{ID: "c1"})
	require.NoError(t, err)
	require.Equal(t, restrict.ActionUnblock, res.Action)
	require.Equal(t, restrict.StateActive, f.State("c1"))
	require.Equal(t, []restricttest.Call{
		{Method: "Restrict", Target: restrict.Target{ID: "c1", Reason: "fraud"}},
		{Method: "Lift", Target: restrict.Target{ID: "c1"}},
	}, f.Calls())
}

func TestFakeFailuresAndNoLift(t *testing.T) {
	t.Parallel()
	f := &restricttest.Fake{Provider: "cryptomus", NoLift: true}
	ctx := context.Background()
	_, err := f.Restrict(ctx, restrict.Target{})
	require.ErrorIs(t, err, restrict.ErrInvalidRequest)
	_, err = f.Lift(ctx, restrict.Target{ID: "w"})
	require.ErrorIs(t, err, restrict.ErrUnsupported)

	f.FailWith("w", &restrict.APIError{Class: restrict.ErrNotFound})
	_, err = f.Restrict(ctx, restrict.Target{ID: "w"})
	require.ErrorIs(t, err, restrict.ErrNotFound)
	require.Equal(t, restrict.StateUnknown, f.State("w"))
	f.FailWith("w", nil)
	_, err = f.Restrict(ctx, restrict.Target{ID: "w"})
	require.NoError(t, err)

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = f.Restrict(cancelled, restrict.Target{ID: "w"})
	require.ErrorIs(t, err, context.Canceled)
}

func TestFakeIsSafeForConcurrentUse(t *testing.T) {
	t.Parallel()
	var f restricttest.Fake
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _ = f.Restrict(context.Background(), restrict.Target{ID: "c"})
			_ = f.State("c")
			_ = f.Calls()
		}()
	}
	wg.Wait()
	require.Len(t, f.Calls(), 50)
}

func TestFaults(t *testing.T) {
	t.Parallel()
	var faults restricttest.Faults
	srv := httptest.NewServer(faults.Wrap(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "real")
	})))
	defer srv.Close()
	get := func() (int, string, http.Header, error) {
		resp, err := srv.Client().Get(srv.URL)
		if err != nil {
			return 0, "", nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), resp.Header, err
	}
	faults.Inject(
		restricttest.Fault{Status: 503, Times: 2},
		restricttest.Fault{Status: 429, Header: restricttest.RetryAfter(7), Body: "slow", ContentType: "text/plain", Times: 1},
		restricttest.Fault{Body: "<html>", Times: 1},
		restricttest.Fault{Delay: 30 * time.Millisecond, Times: 1},
		restricttest.Fault{Body: "0123456789", Reset: true, Times: 1},
	)
	for i := 0; i < 2; i++ {
		code, _, _, err := get()
		require.NoError(t, err)
		require.Equal(t, 503, code)
	}
	code, body, h, err := get()
	require.NoError(t, err)
	require.Equal(t, 429, code)
	require.Equal(t, "slow", body)
	require.Equal(t, "7", h.Get("Retry-After"))
	require.Equal(t, "text/plain", h.Get("Content-Type"))
	code, body, _, _ = get()
	require.Equal(t, 200, code)
	require.Equal(t, "<html>", body)
	start := time.Now()
	_, body, _, _ = get()
	require.Equal(t, "real", body)
	require.GreaterOrEqual(t, time.Since(start), 30*time.Millisecond)
	_, _, _, err = get()
	require.Error(t, err, "the answer is cut off")
	_, body, _, err = get()
	require.NoError(t, err)
	require.Equal(t, "real", body)
	require.Equal(t, 7, faults.Requests())

	faults.Inject(restricttest.Fault{Status: 500})
	for i := 0; i < 3; i++ {
		code, _, _, _ = get()
		require.Equal(t, 500, code, "Times 0 lasts until Clear")
	}
	faults.Clear()
	code, _, _, _ = get()
	require.Equal(t, 200, code)
}

func TestDelayedFaultEndsWhenAPOSTingClientGoesAway(t *testing.T) {
	t.Parallel()
	var faults restricttest.Faults
	faults.Inject(restricttest.Fault{Delay: 10 * time.Second})
	srv := httptest.NewServer(faults.Wrap(http.NotFoundHandler()))
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL, strings.NewReader(`{"id":"x"}`))
	_, err := srv.Client().Do(req)
	require.Error(t, err)
	srv.Close() // waits for the handler: it must have stopped waiting
	require.Less(t, time.Since(start), 5*time.Second)
}

func TestFakeStatus(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := &restricttest.Fake{Provider: "p"}
	res, err := f.Status(ctx, restrict.Target{ID: "c1"})
	require.NoError(t, err)
	require.Equal(t, restrict.StateActive, res.State)
	_, err = f.Restrict(ctx, restrict.Target{ID: "c1"})
	require.NoError(t, err)
	res, err = f.Status(ctx, restrict.Target{ID: "c1"})
	require.NoError(t, err)
	require.Equal(t, restrict.StateRestricted, res.State)
	require.Equal(t, "Status", f.Calls()[2].Method)

	f.NoStatus = true
	_, err = f.Status(ctx, restrict.Target{ID: "c1"})
	require.ErrorIs(t, err, restrict.ErrUnsupported)
}

func TestFakeAppliesAnIDRule(t *testing.T) {
	t.Parallel()
	uuidOnly := func(id string) error {
		if len(id) != 36 {
			return restrict.NewFieldError("purse", "Restrict", "ID", "must be a UUID")
		}
		return nil
	}
	f := &restricttest.Fake{Provider: "purse", CheckID: uuidOnly}
	_, err := f.Restrict(context.Background(), restrict.Target{ID: "cust-1"})
	require.ErrorIs(t, err, restrict.ErrInvalidRequest)
	require.Equal(t, restrict.StateUnknown, f.State("cust-1"), "nothing changed")
	_, err = f.Restrict(context.Background(), restrict.Target{ID: "6d962783-f0cf-420d-a511-3a48c71c5595"})
	require.NoError(t, err)
}

func TestServerIsWhatEveryFakeIsBuiltOn(t *testing.T) {
	t.Parallel()
	var s restricttest.Server
	s.Serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, r.URL.Path)
	}), "/api")
	defer s.Close()
	require.True(t, strings.HasPrefix(s.BaseURL(), "http://127.0.0.1:"))
	require.True(t, strings.HasSuffix(s.BaseURL(), "/api"))

	resp, err := http.Get(s.BaseURL() + "/x")
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	require.Equal(t, "/api/x", string(b))

	// Faults apply before the fake's handler, through Handler too.
	s.Inject(restricttest.Fault{Status: 503, Times: 1})
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/x", nil))
	require.Equal(t, 503, rec.Code)
	require.Equal(t, 2, s.Requests())

	at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return at })
	require.Equal(t, at, s.Now())
	s.SetClock(nil)
	require.WithinDuration(t, time.Now(), s.Now(), time.Minute)
}
