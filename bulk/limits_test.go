package bulk_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/bulk"
)

// stamped answers every call at once and notes when it came.
type stamped struct {
	mu  sync.Mutex
	at  []time.Time
	err func(n int) error // the error of the nth call, if any
}

func (s *stamped) Restrict(ctx context.Context, t restrict.Target) (*restrict.Result, error) {
	s.mu.Lock()
	s.at = append(s.at, time.Now())
	n := len(s.at)
	s.mu.Unlock()
	if s.err != nil {
		if err := s.err(n); err != nil {
			return nil, err
		}
	}
	return &restrict.Result{Provider: "p", Action: restrict.ActionBlock, TargetID: t.ID, State: restrict.StateRestricted,
		Meta: restrict.Meta{StatusCode: 200, Attempts: 1}}, nil
}

func (s *stamped) Lift(ctx context.Context, t restrict.Target) (*restrict.Result, error) {
	return s.Restrict(ctx, t)
}

func (s *stamped) times() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Time(nil), s.at...)
}

// busiest is the most calls of at within any window.
func busiest(at []time.Time, window time.Duration) int {
	most := 0
	for i := range at {
		n := 0
		for j := i; j < len(at) && at[j].Sub(at[i]) < window; j++ {
			n++
		}
		most = max(most, n)
	}
	return most
}

// Two engines working one Postgres database at a rate of 40/s each send
// the provider 40 requests a second together, not 80: the rate is the
// database's, shared. The first to start writes it; Limits shows it with
// both workers.
func TestPostgresRateIsSharedByEveryWorker(t *testing.T) {
	url, schema := testSchema(t)
	ctx := context.Background()
	p := &stamped{}
	const n, perSecond = 120, 40
	var engines []*bulk.Engine
	for range 2 {
		cfg := fastConfig()
		cfg.Schema = schema
		e, err := bulk.Open(ctx, url, cfg)
		require.NoError(t, err)
		t.Cleanup(func() { _ = e.Close() })
		require.NoError(t, e.Register("p", p, bulk.Limits{Rate: perSecond, Concurrency: 20}))
		engines = append(engines, e)
	}
	_, err := engines[0].Submit(ctx, bulk.Run{Name: "shared", Op: restrict.OpRestrict}, bulk.Subjects(subjects(n, "p")...))
	require.NoError(t, err)
	for _, e := range engines {
		require.NoError(t, e.Start(ctx))
		t.Cleanup(func() { _ = e.Stop(ctx) })
	}
	limits, err := engines[0].Limits(ctx)
	require.NoError(t, err)
	require.Len(t, limits, 1)
	require.Equal(t, "p", limits[0].Provider)
	require.InDelta(t, perSecond, limits[0].Rate, 0)
	require.Equal(t, 2, limits[0].Workers)

	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	pr, err := engines[1].Wait(wctx, "shared")
	require.NoError(t, err)
	require.EqualValues(t, n, pr.All.OK)

	at := p.times()
	require.Len(t, at, n)
	took := at[len(at)-1].Sub(at[0])
	t.Logf("%d calls in %s; busiest two seconds %d", n, took.Round(time.Millisecond), busiest(at, 2*time.Second))
	require.GreaterOrEqual(t, took, time.Duration(float64(n-1)/perSecond*0.95*float64(time.Second)), "no faster than the shared rate")
	// Two seconds, not one: on a loaded machine a call may reach the
	// provider a little after its slot, beside the next ones.
	require.LessOrEqual(t, busiest(at, 2*time.Second), 2*perSecond*105/100+2, "never twice the rate")
}

// A rate set in the database while a run is in progress is followed by the
// working engine within a second or two, and a process starting later with
// another rate keeps to the database's; on Postgres, where the slots are
// leased, and on SQLite, where the working process keeps the rate.
func TestPostgresSetRateTakesEffectWhileWorking(t *testing.T) {
	url, schema := testSchema(t)
	cfg := fastConfig()
	cfg.Schema = schema
	setRateWhileWorking(t, url, cfg)
}

func TestSQLiteSetRateTakesEffectWhileWorking(t *testing.T) {
	setRateWhileWorking(t, filepath.Join(t.TempDir(), "bulk.db"), fastConfig())
}

func setRateWhileWorking(t *testing.T, url string, cfg bulk.Config) {
	ctx := context.Background()
	e, err := bulk.Open(ctx, url, cfg)
	require.NoError(t, err)
	defer e.Close()
	p := &stamped{}
	require.NoError(t, e.Register("p", p, bulk.Limits{Rate: 200, Concurrency: 20}))
	_, err = e.Submit(ctx, bulk.Run{Name: "set", Op: restrict.OpRestrict}, bulk.Subjects(subjects(400, "p")...))
	require.NoError(t, err)
	require.NoError(t, e.Start(ctx))
	defer func() { _ = e.StopAndCancel(ctx) }()
	require.Eventually(t, func() bool { return len(p.times()) >= 50 }, 30*time.Second, time.Millisecond)

	other, err := bulk.Open(ctx, url, cfg)
	require.NoError(t, err)
	defer other.Close()
	require.NoError(t, other.SetRate(ctx, "p", 10, "test"))
	setAt := time.Now()
	limits, err := other.Limits(ctx)
	require.NoError(t, err)
	require.Equal(t, "test", limits[0].UpdatedBy)
	require.InDelta(t, 10, limits[0].Rate, 0)

	// From two seconds after the change the engine sends at most 10 a
	// second: watched over 25 calls.
	late := func() []time.Time {
		var out []time.Time
		for _, at := range p.times() {
			if at.After(setAt.Add(2 * time.Second)) {
				out = append(out, at)
			}
		}
		return out
	}
	require.Eventually(t, func() bool { return len(late()) >= 25 }, 30*time.Second, 10*time.Millisecond)
	require.LessOrEqual(t, busiest(late(), time.Second), 11, "the database's new rate is in force")

	// Registered with 500/s, a second engine keeps to the database's 10/s.
	require.NoError(t, other.Register("p", p, bulk.Limits{Rate: 500}))
	require.NoError(t, other.Start(ctx))
	defer func() { _ = other.StopAndCancel(ctx) }()
	limits, err = other.Limits(ctx)
	require.NoError(t, err)
	require.InDelta(t, 10, limits[0].Rate, 0)

	// A rate of 0 is none: the next engine started with a rate writes it.
	require.NoError(t, other.SetRate(ctx, "p", 0, "test"))
	third, err := bulk.Open(ctx, url, cfg)
	require.NoError(t, err)
	defer third.Close()
	require.NoError(t, third.Register("p", p, bulk.Limits{Rate: 70}))
	require.NoError(t, third.Start(ctx))
	defer func() { _ = third.StopAndCancel(ctx) }()
	limits, err = third.Limits(ctx)
	require.NoError(t, err)
	require.InDelta(t, 70, limits[0].Rate, 0)
}

// A provider's 429 slows every worker: the database's rate in force is
// halved, and successes give it back.
func TestPostgresRateLimitSlowsTheSharedRate(t *testing.T) {
	url, schema := testSchema(t)
	ctx := context.Background()
	cfg := fastConfig()
	cfg.Schema = schema
	e, err := bulk.Open(ctx, url, cfg)
	require.NoError(t, err)
	defer e.Close()
	p := &stamped{err: func(n int) error {
		if n <= 3 {
			return &restrict.APIError{Provider: "p", Class: restrict.ErrRateLimited, StatusCode: 429, RetryAfter: time.Millisecond}
		}
		return nil
	}}
	require.NoError(t, e.Register("p", p, bulk.Limits{Rate: 100, Concurrency: 4}))
	_, err = e.Submit(ctx, bulk.Run{Name: "slow", Op: restrict.OpRestrict}, bulk.Subjects(subjects(400, "p")...))
	require.NoError(t, err)
	require.NoError(t, e.Start(ctx))
	defer func() { _ = e.StopAndCancel(ctx) }()
	var slowest float64 = 100
	require.Eventually(t, func() bool {
		limits, err := e.Limits(ctx)
		if err != nil || len(limits) == 0 {
			return false
		}
		slowest = min(slowest, limits[0].InForce)
		return slowest <= 50 && limits[0].InForce > slowest
	}, 30*time.Second, 20*time.Millisecond, "halved, then given back")
}

// The concurrency the database holds is shared between the workers that
// polled in the last seconds, never more in all; a worker that stopped
// polling no longer counts.
func TestPostgresConcurrencyIsShared(t *testing.T) {
	url, schema := testSchema(t)
	ctx := context.Background()
	cfg := fastConfig()
	cfg.Schema = schema
	var engines []*bulk.Engine
	gate := make(chan struct{})
	var mu sync.Mutex
	inFlight, most := 0, 0
	p := &parked{enter: func() {
		mu.Lock()
		inFlight++
		most = max(most, inFlight)
		mu.Unlock()
		<-gate
		mu.Lock()
		inFlight--
		mu.Unlock()
	}}
	for range 2 {
		e, err := bulk.Open(ctx, url, cfg)
		require.NoError(t, err)
		t.Cleanup(func() { _ = e.Close() })
		require.NoError(t, e.Register("p", p, bulk.Limits{Concurrency: 10}))
		engines = append(engines, e)
	}
	require.NoError(t, engines[0].SetConcurrency(ctx, "p", 5, "test"))
	_, err := engines[0].Submit(ctx, bulk.Run{Name: "conc", Op: restrict.OpRestrict}, bulk.Subjects(subjects(40, "p")...))
	require.NoError(t, err)
	for _, e := range engines {
		require.NoError(t, e.Start(ctx))
	}
	require.Eventually(t, func() bool { mu.Lock(); defer mu.Unlock(); return inFlight == 5 }, 30*time.Second, time.Millisecond)
	limits, err := engines[0].Limits(ctx)
	require.NoError(t, err)
	require.Equal(t, 2, limits[0].Workers)
	close(gate)
	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	_, err = engines[0].Wait(wctx, "conc")
	require.NoError(t, err)
	mu.Lock()
	require.Equal(t, 5, most, "five in flight across both workers, never more")
	mu.Unlock()

	// A worker that stops polling (stopped, or dead) no longer counts
	// within seconds: its share returns to the others.
	require.NoError(t, engines[1].Stop(ctx))
	require.Eventually(t, func() bool {
		limits, err := engines[0].Limits(ctx)
		return err == nil && limits[0].Workers == 1
	}, 10*time.Second, 10*time.Millisecond)
	require.NoError(t, engines[0].Stop(ctx))
}

// parked calls enter on every call.
type parked struct{ enter func() }

func (b *parked) Restrict(ctx context.Context, t restrict.Target) (*restrict.Result, error) {
	b.enter()
	return &restrict.Result{Provider: "p", Action: restrict.ActionBlock, TargetID: t.ID, State: restrict.StateRestricted,
		Meta: restrict.Meta{StatusCode: 200, Attempts: 1}}, nil
}

func (b *parked) Lift(ctx context.Context, t restrict.Target) (*restrict.Result, error) {
	return b.Restrict(ctx, t)
}

// A bulk worker in a River client of the caller's own (AddWorkers) keeps
// to the database's rate once FollowLimits runs: registered at 500/s
// where the database holds 20/s, it sends 20 a second.
func TestOwnRiverClientFollowsTheDatabasesLimits(t *testing.T) {
	ctx := context.Background()
	pool, cfg := ownPostgresPool(t, fastConfig())
	e, err := bulk.OpenPostgres(ctx, pool, cfg)
	require.NoError(t, err)
	defer e.Close()
	require.NoError(t, e.SetRate(ctx, "p", 20, "test"))
	p := &stamped{}
	require.NoError(t, e.Register("p", p, bulk.Limits{Rate: 500, Concurrency: 10}))
	fctx, stop := context.WithCancel(ctx)
	followed := make(chan error, 1)
	go func() { followed <- e.FollowLimits(fctx) }()
	require.Eventually(t, func() bool {
		limits, err := e.Limits(ctx)
		return err == nil && len(limits) == 1 && limits[0].Workers == 1
	}, 10*time.Second, 10*time.Millisecond, "following")
	require.Error(t, e.FollowLimits(ctx), "once at a time")
	startOwnClient(t, riverpgxv5.New(pool), e, cfg.Schema)

	const n = 40
	_, err = e.Submit(ctx, bulk.Run{Name: "own", Op: restrict.OpRestrict}, bulk.Subjects(subjects(n, "p")...))
	require.NoError(t, err)
	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	_, err = e.Wait(wctx, "own")
	require.NoError(t, err)
	at := p.times()
	require.Len(t, at, n)
	require.GreaterOrEqual(t, at[n-1].Sub(at[0]), (n-1)*time.Second/20*95/100, "at the database's 20/s")
	stop()
	require.ErrorIs(t, <-followed, context.Canceled)
	limits, err := e.Limits(ctx)
	require.NoError(t, err)
	require.InDelta(t, 20, limits[0].Rate, 0, "the database's rate was kept")
}
