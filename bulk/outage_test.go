package bulk_test

import (
	"context"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/bulk"
	"github.com/restrictkit/restrict/internal/testkit"
)

// slow answers every call after a few milliseconds, and counts them.
type slow struct {
	mu    sync.Mutex
	calls map[string]int
}

func (s *slow) Restrict(ctx context.Context, t restrict.Target) (*restrict.Result, error) {
	time.Sleep(3 * time.Millisecond)
	s.mu.Lock()
	s.calls[t.ID]++
	s.mu.Unlock()
	return &restrict.Result{Provider: "p", Action: restrict.ActionBlock, TargetID: t.ID, State: restrict.StateRestricted,
		Meta: restrict.Meta{StatusCode: 200, Attempts: 1}}, nil
}

func (s *slow) Lift(ctx context.Context, t restrict.Target) (*restrict.Result, error) {
	return s.Restrict(ctx, t)
}

// A Postgres outage in the middle of a run is ridden out: the database is
// cut off (every connection closed, new ones refused) until the clients
// have tried it again and again, and restored; Wait returns success,
// DatabaseHealth said meanwhile since when the database was unavailable,
// and every job has one final outcome and a completed River job.
func TestPostgresOutageIsRiddenOut(t *testing.T) {
	dbURL, schema := testSchema(t)
	u, err := url.Parse(dbURL)
	require.NoError(t, err)
	proxy := testkit.NewCutProxy(t, u.Host)
	u.Host = proxy.Addr()

	ctx := context.Background()
	cfg := fastConfig()
	cfg.Schema = schema
	// Workers hold an outcome through an outage for up to halfway between
	// JobTimeout and RescueAfter: 60 s here, well beyond the outage and
	// the reconnection after it even on a loaded machine (on CI, 15 s
	// once was not).
	cfg.JobTimeout = 20 * time.Second
	cfg.RescueAfter = 100 * time.Second
	e, err := bulk.Open(ctx, u.String(), cfg)
	require.NoError(t, err)
	defer e.Close()
	p := &slow{calls: map[string]int{}}
	require.NoError(t, e.Register("p", p, bulk.Limits{Concurrency: 4}))
	const n = 600
	_, err = e.Submit(ctx, bulk.Run{Name: "outage", Op: restrict.OpRestrict}, bulk.Subjects(subjects(n, "p")...))
	require.NoError(t, err)
	require.NoError(t, e.Start(ctx))
	defer func() { _ = e.Stop(ctx) }()

	type result struct {
		p   *bulk.Progress
		err error
	}
	waited := make(chan result, 1)
	wctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	go func() {
		pr, err := e.Wait(wctx, "outage")
		waited <- result{pr, err}
	}()
	require.Eventually(t, func() bool {
		pr, err := e.Progress(ctx, "outage")
		return err == nil && pr.All.OK >= n/5
	}, time.Minute, time.Millisecond)
	cutAt := time.Now()
	proxy.Cut()
	require.Eventually(t, func() bool { return !e.DatabaseHealth().OK() }, 10*time.Second, time.Millisecond)
	h := e.DatabaseHealth()
	require.WithinRange(t, h.Since, cutAt, time.Now())
	t.Logf("database unavailable since %s: %v", h.Since.Sub(cutAt), h.Err)
	// Held until the workers and Wait have tried the database again and
	// again in vain, not for a guessed time.
	require.Eventually(t, func() bool { return proxy.Refused() >= 5 }, time.Minute, 10*time.Millisecond)
	t.Logf("restored %s after the cut", time.Since(cutAt).Round(time.Millisecond))
	pr, err := e.Progress(ctx, "outage")
	require.Error(t, err, "the database is still cut off")
	require.Nil(t, pr)
	proxy.Restore()

	var r result
	select {
	case r = <-waited:
	case <-time.After(30 * time.Second):
		// Well before RescueAfter: a job whose fetch the cut lost is
		// given back by the engine, not left to River's rescuer.
		t.Fatal("Wait did not return after the database came back")
	}
	t.Logf("the run completed %s after the cut", time.Since(cutAt).Round(time.Millisecond))
	require.NoError(t, r.err)
	require.Equal(t, bulk.Counts{Total: n, OK: n, Restricted: n}, r.p.All)
	require.True(t, e.DatabaseHealth().OK())

	conn, err := pgx.Connect(ctx, dbURL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	var states []string
	rows, err := conn.Query(ctx, `SELECT state::text FROM `+schema+`.river_job GROUP BY state`)
	require.NoError(t, err)
	for rows.Next() {
		var s string
		require.NoError(t, rows.Scan(&s))
		states = append(states, s)
	}
	require.NoError(t, rows.Err())
	require.Equal(t, []string{"completed"}, states, "no job left behind in River")
	again := 0
	p.mu.Lock()
	require.Len(t, p.calls, n)
	for _, c := range p.calls {
		if c > 1 {
			again++
		}
	}
	p.mu.Unlock()
	require.Zero(t, again, "every outcome was held through the outage, none asked for again")
}
