package bulk_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/bulk"
	"github.com/restrictkit/restrict/purse"
	"github.com/restrictkit/restrict/purse/pursetest"
	"github.com/restrictkit/restrict/restricttest"
)

// stamps records when each request reached a fake.
type stamps struct {
	mu sync.Mutex
	at []time.Time
}

func (s *stamps) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.at = append(s.at, time.Now())
		s.mu.Unlock()
		h.ServeHTTP(w, r)
	})
}

// busiest returns the most requests in any window of length d.
func (s *stamps) busiest(d time.Duration) (n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, t := range s.at {
		k := 0
		for _, u := range s.at[i:] {
			if u.Sub(t) < d {
				k++
			}
		}
		n = max(n, k)
	}
	return n
}

func (s *stamps) count() int { s.mu.Lock(); defer s.mu.Unlock(); return len(s.at) }

// The rate limit bounds every HTTP request, the SDK's retries included: a
// real purse client against its fake answering 503 to everything, at
// 4 requests/s, never sends more than Rate + Burst in a second.
func TestRateBoundsEveryHTTPRequest(t *testing.T) {
	ctx := context.Background()
	creds := purse.Credentials{Account: "0x00000000000000000000000000000000000000bb", Key: "rate-purse-key", Secret: "rate-purse-secret"}
	fake := pursetest.NewServer(creds)
	defer fake.Close()
	fake.Inject(restricttest.Fault{Status: http.StatusServiceUnavailable})
	var st stamps
	srv := httptest.NewServer(st.wrap(fake.Handler()))
	defer srv.Close()
	client, err := purse.New(creds, restrict.WithBaseURL(srv.URL), // the fake serves at its root
		restrict.WithRetry(restrict.RetryPolicy{MaxAttempts: 3, MinWait: time.Millisecond, MaxWait: 5 * time.Millisecond}))
	require.NoError(t, err)

	cfg := fastConfig()
	cfg.MaxAttempts = 1
	e := openSQLite(t, cfg)
	const rate, jobs = 4, 6
	require.NoError(t, e.Register("purse", client, bulk.Limits{Rate: rate}))
	subs := make([]bulk.Subject, jobs)
	for i := range subs {
		subs[i] = bulk.Subject{Key: fmt.Sprintf("c%d", i), IDs: map[string]string{"purse": uuid()}}
	}
	_, err = e.Submit(ctx, bulk.Run{Name: "rate", Op: restrict.OpRestrict}, bulk.Subjects(subs...))
	require.NoError(t, err)
	start := time.Now()
	require.NoError(t, e.Start(ctx))
	defer func() { require.NoError(t, e.Stop(ctx)) }()
	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	p, err := e.Wait(wctx, "rate")
	require.NoError(t, err)
	require.Equal(t, int64(jobs), p.All.Failed)
	elapsed := time.Since(start)

	n := st.count()
	busiest := st.busiest(time.Second)
	t.Logf("%d requests for %d jobs in %s (%.2f/s); at most %d in any second", n, jobs, elapsed.Round(time.Millisecond), float64(n)/elapsed.Seconds(), busiest)
	require.Greater(t, n, jobs, "the SDK retried")
	require.LessOrEqual(t, busiest, rate+1, "Rate + Burst bounds every second, retries included")

	// Every request sent is in the journal.
	sent := 0
	for o, err := range e.Outcomes(ctx, bulk.Filter{Run: "rate"}) {
		require.NoError(t, err)
		sent += o.HTTPAttempts
		require.False(t, o.HTTPAttemptsLowerBound)
	}
	require.Equal(t, n, sent)
}

// A call cut short because the worker stops may have reached the provider:
// its HTTP attempts are journaled, though the job attempt is not counted.
func TestStopRecordsTheHTTPAttemptsOfACutCall(t *testing.T) {
	ctx := context.Background()
	e := openSQLite(t, fastConfig())
	started := make(chan struct{}, 1)
	r := blocking{started: started}
	require.NoError(t, e.Register("p", r, bulk.Limits{Concurrency: 1}))
	_, err := e.Submit(ctx, bulk.Run{Name: "cut", Op: restrict.OpRestrict}, bulk.Subjects(subjects(1, "p")...))
	require.NoError(t, err)
	require.NoError(t, e.Start(ctx))
	<-started
	require.NoError(t, e.StopAndCancel(ctx))
	var got []bulk.Outcome
	for o, err := range e.Outcomes(ctx, bulk.Filter{Run: "cut"}) {
		require.NoError(t, err)
		got = append(got, o)
	}
	require.Len(t, got, 1)
	require.Equal(t, bulk.ResultPending, got[0].Result)
	require.Equal(t, 2, got[0].HTTPAttempts, "the cut call's requests are counted")
	require.Zero(t, got[0].JobAttempts, "a stop is not a job attempt")
}

// blocking answers when its context ends, as an SDK client does when its
// second request is cut short.
type blocking struct{ started chan struct{} }

func (b blocking) Restrict(ctx context.Context, _ restrict.Target) (*restrict.Result, error) {
	select {
	case b.started <- struct{}{}:
	default:
	}
	<-ctx.Done()
	return nil, &restrict.APIError{Provider: "p", Operation: "Restrict", Message: "the context ended", Attempts: 2, Err: ctx.Err()}
}

func (b blocking) Lift(ctx context.Context, t restrict.Target) (*restrict.Result, error) {
	return b.Restrict(ctx, t)
}
