package bulk_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/bulk"
	"github.com/restrictkit/restrict/restricttest"
)

// fastRetry retries a job after a millisecond.
type fastRetry struct{}

func (fastRetry) NextRetry(*rivertype.JobRow) time.Time { return time.Now().Add(time.Millisecond) }

// fastConfig keeps retries and rescues in milliseconds, as tests must.
func fastConfig() bulk.Config {
	return bulk.Config{
		RetryPolicy:       fastRetry{},
		MinBackoff:        time.Millisecond,
		MaxBackoff:        20 * time.Millisecond,
		JobTimeout:        5 * time.Second,
		FetchCooldown:     time.Millisecond,
		FetchPollInterval: 50 * time.Millisecond,
	}
}

func openSQLite(t *testing.T, cfg bulk.Config) *bulk.Engine {
	t.Helper()
	e, err := bulk.Open(context.Background(), filepath.Join(t.TempDir(), "bulk.db"), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = e.Close() })
	return e
}

func subjects(n int, providers ...string) []bulk.Subject {
	out := make([]bulk.Subject, n)
	for i := range out {
		ids := make(map[string]string, len(providers))
		for _, p := range providers {
			ids[p] = fmt.Sprintf("%s-%04d", p, i)
		}
		out[i] = bulk.Subject{Key: fmt.Sprintf("c%04d", i), IDs: ids}
	}
	return out
}

// databases runs a test against SQLite and, when configured, Postgres.
func databases(t *testing.T, cfg bulk.Config, test func(t *testing.T, e *bulk.Engine)) {
	t.Run("sqlite", func(t *testing.T) { test(t, openSQLite(t, cfg)) })
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		test(t, openPostgres(t, cfg))
	})
}

func TestSmoke(t *testing.T) {
	databases(t, fastConfig(), smoke)
}

func smoke(t *testing.T, e *bulk.Engine) {
	ctx := context.Background()
	a, b := &restricttest.Fake{Provider: "a"}, &restricttest.Fake{Provider: "b"}
	require.NoError(t, e.Register("a", a, bulk.Limits{Concurrency: 4}))
	require.NoError(t, e.Register("b", b, bulk.Limits{Concurrency: 4}))
	b.FailWith("b-0003", &restrict.APIError{Provider: "b", Class: restrict.ErrNotFound, StatusCode: 404, Code: "404", Message: "no such customer"})

	run := bulk.Run{Name: "r1", Op: restrict.OpRestrict, Reason: "test"}
	sub, err := e.Submit(ctx, run, bulk.Subjects(subjects(10, "a", "b")...))
	require.NoError(t, err)
	require.Equal(t, int64(20), sub.Jobs)
	require.NoError(t, e.Start(ctx))
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	p, err := e.Wait(wctx, "r1")
	require.NoError(t, err)
	require.Equal(t, int64(19), p.All.OK)
	require.Equal(t, int64(1), p.All.Failed)
	for o, err := range e.Outcomes(ctx, bulk.Filter{Run: "r1", Result: bulk.ResultFailed}) {
		require.NoError(t, err)
		t.Logf("%+v %+v", o, o.Error)
	}
	// A finished run is not resumed in place of a new one, unless asked.
	_, err = e.Submit(ctx, run, bulk.Subjects(subjects(10, "a", "b")...))
	var finished *bulk.RunFinishedError
	require.ErrorAs(t, err, &finished)
	require.ErrorIs(t, err, bulk.ErrRunFinished)
	run.AcceptFinished = true
	again, err := e.Submit(ctx, run, bulk.Subjects(subjects(10, "a", "b")...))
	require.NoError(t, err)
	require.Equal(t, bulk.Submitted{Subjects: 10, Existing: 20}, *again)
	ri, err := e.Run(ctx, "r1")
	require.NoError(t, err)
	t.Logf("%+v", ri)
	require.NoError(t, e.Stop(ctx))
}

func TestPolicy(t *testing.T) {
	cfg := fastConfig()
	cfg.MaxAttempts = 3
	cfg.MaxSnoozes = 2
	databases(t, cfg, policy)
}

func policy(t *testing.T, e *bulk.Engine) {
	ctx := context.Background()
	p := newScripted("p")
	unavailable := apiErr(restrict.ErrUnavailable, 503, "503")
	limited := apiErr(restrict.ErrRateLimited, 429, "429")
	limited.RetryAfter = 5 * time.Millisecond
	p.on("ok")
	p.on("flaky", unavailable, unavailable)             // succeeds on attempt 3
	p.on("down", unavailable, unavailable, unavailable) // fails on the last attempt
	p.on("limited", limited, limited)                   // two snoozes, then ok
	p.on("limited-forever", limited, limited, limited, limited)
	p.on("invalid", apiErr(restrict.ErrInvalidRequest, 400, "bad"))
	p.on("unauthorized", apiErr(restrict.ErrUnauthorized, 401, "401"))
	p.on("forbidden", apiErr(restrict.ErrForbidden, 403, "403"))
	p.on("notfound", apiErr(restrict.ErrNotFound, 404, "404"))
	p.on("conflict", apiErr(restrict.ErrConflict, 409, "409"))
	p.on("unsupported", apiErr(restrict.ErrUnsupported, 0, ""))
	p.panics["panics"] = true
	ids := []string{"ok", "flaky", "down", "limited", "limited-forever", "invalid", "unauthorized", "forbidden", "notfound", "conflict", "unsupported", "panics"}
	var subs []bulk.Subject
	for _, id := range ids {
		subs = append(subs, bulk.Subject{Key: id, IDs: map[string]string{"p": id}})
	}
	require.NoError(t, e.Register("p", p, bulk.Limits{Concurrency: 4}))
	_, err := e.Submit(ctx, bulk.Run{Name: "policy", Op: restrict.OpRestrict}, bulk.Subjects(subs...))
	require.NoError(t, err)
	require.NoError(t, e.Start(ctx))
	defer func() { require.NoError(t, e.Stop(ctx)) }()
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	_, err = e.Wait(wctx, "policy")
	require.NoError(t, err)

	got := map[string]bulk.Outcome{}
	for o, err := range e.Outcomes(ctx, bulk.Filter{Run: "policy"}) {
		require.NoError(t, err)
		got[o.Subject] = o
	}
	require.Len(t, got, len(ids))
	type want struct {
		result   bulk.OutcomeResult
		class    string
		calls    int
		attempts int
	}
	for id, w := range map[string]want{
		"ok":              {bulk.ResultOK, "", 1, 1},
		"flaky":           {bulk.ResultOK, "", 3, 3},
		"down":            {bulk.ResultFailed, "unavailable", 3, 3},
		"limited":         {bulk.ResultOK, "", 3, 1},
		"limited-forever": {bulk.ResultFailed, "rate_limited", 3, 1},
		"invalid":         {bulk.ResultFailed, "invalid_request", 1, 1},
		"unauthorized":    {bulk.ResultFailed, "unauthorized", 1, 1},
		"forbidden":       {bulk.ResultFailed, "forbidden", 1, 1},
		"notfound":        {bulk.ResultFailed, "not_found", 1, 1},
		"conflict":        {bulk.ResultFailed, "conflict", 1, 1},
		"unsupported":     {bulk.ResultUnsupported, "unsupported", 1, 1},
		"panics":          {bulk.ResultFailed, "panic", 3, 3},
	} {
		o := got[id]
		require.Equal(t, w.result, o.Result, id)
		require.Equal(t, w.calls, p.count(id), id)
		require.Equal(t, w.attempts, o.JobAttempts, id)
		require.False(t, o.FinishedAt.IsZero(), id)
		require.False(t, o.StartedAt.After(o.FinishedAt), id)
		if w.class == "" {
			require.Nil(t, o.Error, id)
			require.Equal(t, restrict.StateRestricted, o.State, id)
			require.Equal(t, restrict.ActionBlock, o.ProviderAction, id)
			require.Equal(t, "req-"+id, o.RequestID, id)
			continue
		}
		require.NotNil(t, o.Error, id)
		require.Equal(t, w.class, o.Error.Class, id)
	}
	require.Equal(t, "bad", got["invalid"].Error.Code)
	require.Equal(t, 400, got["invalid"].HTTPStatus)
	require.Equal(t, 3, got["down"].HTTPAttempts, "HTTP attempts add up over job attempts")
}

func TestLiftAndStatus(t *testing.T) {
	databases(t, fastConfig(), liftAndStatus)
}

func liftAndStatus(t *testing.T, e *bulk.Engine) {
	ctx := context.Background()
	lifts := &restricttest.Fake{Provider: "lifts"}
	nolift := &restricttest.Fake{Provider: "nolift", NoLift: true, NoStatus: true}
	plain := newScripted("plain") // a Restrictor that is not a Checker
	require.NoError(t, e.Register("lifts", lifts, bulk.Limits{}))
	require.NoError(t, e.Register("nolift", nolift, bulk.Limits{}))
	require.NoError(t, e.Register("plain", plain, bulk.Limits{}))
	subs := subjects(3, "lifts", "nolift", "plain")
	_, err := e.Submit(ctx, bulk.Run{Name: "lift", Op: restrict.OpLift}, bulk.Subjects(subs...))
	require.NoError(t, err)
	_, err = e.Submit(ctx, bulk.Run{Name: "status", Op: restrict.OpStatus}, bulk.Subjects(subs...))
	require.NoError(t, err)
	_, err = e.Submit(ctx, bulk.Run{Name: "status", Op: restrict.OpRestrict}, bulk.Subjects(subs...))
	require.ErrorIs(t, err, bulk.ErrRunMismatch)
	require.NoError(t, e.Start(ctx))
	defer func() { require.NoError(t, e.Stop(ctx)) }()
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()

	lift, err := e.Wait(wctx, "lift")
	require.NoError(t, err)
	require.Equal(t, []bulk.Counts{
		{Provider: "lifts", Total: 3, OK: 3, Active: 3},
		{Provider: "nolift", Total: 3, Unsupported: 3},
		{Provider: "plain", Total: 3, OK: 3, Active: 3},
	}, lift.Providers)

	status, err := e.Wait(wctx, "status")
	require.NoError(t, err)
	require.Equal(t, []bulk.Counts{
		{Provider: "lifts", Total: 3, OK: 3, Active: 3},
		{Provider: "nolift", Total: 3, Unsupported: 3},
		{Provider: "plain", Total: 3, Unsupported: 3},
	}, status.Providers)
	for o, err := range e.Outcomes(ctx, bulk.Filter{Run: "status", Provider: "lifts"}) {
		require.NoError(t, err)
		require.Equal(t, restrict.OpStatus, o.Op)
		require.Equal(t, restrict.StateActive, o.State)
	}
	runs, err := e.Runs(ctx)
	require.NoError(t, err)
	require.Len(t, runs, 2)
	require.Equal(t, []string{"lifts", "nolift", "plain"}, runs[0].Providers)
	require.Equal(t, int64(3), runs[0].Subjects)
	require.Equal(t, int64(9), runs[0].Jobs)
	_, err = e.Run(ctx, "nope")
	require.ErrorIs(t, err, bulk.ErrRunNotFound)
}

func TestSubmitStreamsInBatchesAndIsIdempotent(t *testing.T) {
	cfg := fastConfig()
	cfg.SubmitBatch = 7
	databases(t, cfg, submitStreams)
}

func submitStreams(t *testing.T, e *bulk.Engine) {
	ctx := context.Background()
	run := bulk.Run{Name: "batches", Op: restrict.OpRestrict, Providers: []string{"a", "c"}}
	// The first submission stops halfway, as a crash would.
	half := func(yield func(bulk.Subject, error) bool) {
		for i, s := range subjects(50, "a", "b", "c") {
			if i == 25 {
				yield(bulk.Subject{}, fmt.Errorf("disk on fire"))
				return
			}
			if !yield(s, nil) {
				return
			}
		}
	}
	_, err := e.Submit(ctx, run, half)
	require.ErrorContains(t, err, "disk on fire")
	all, err := e.Submit(ctx, run, bulk.Subjects(subjects(50, "a", "b", "c")...))
	require.NoError(t, err)
	require.Equal(t, int64(50), all.Subjects)
	require.Equal(t, int64(100)-2*21, all.Jobs, "the first three batches of 7 were committed")
	require.Equal(t, int64(2*21), all.Existing)
	again, err := e.Submit(ctx, run, bulk.Subjects(subjects(50, "a", "b", "c")...))
	require.NoError(t, err)
	require.Equal(t, bulk.Submitted{Subjects: 50, Jobs: 0, Existing: 100}, *again)
	p, err := e.Progress(ctx, "batches")
	require.NoError(t, err)
	require.Equal(t, bulk.Counts{Total: 100, Pending: 100}, p.All)

	_, err = e.Submit(ctx, bulk.Run{Name: "bad", Op: "block"}, bulk.Subjects())
	require.ErrorContains(t, err, "want restrict, lift or status")
	_, err = e.Submit(ctx, bulk.Run{Name: "bad", Op: restrict.OpLift}, bulk.Subjects(bulk.Subject{Key: "x", IDs: map[string]string{"Bad Name": "1"}}))
	require.ErrorContains(t, err, "provider name")
}

func TestEvents(t *testing.T) {
	ctx := context.Background()
	e := openSQLite(t, fastConfig())
	p := newScripted("p")
	p.on("p-0001", apiErr(restrict.ErrUnavailable, 503, "503"))
	require.NoError(t, e.Register("p", p, bulk.Limits{Concurrency: 2}))
	events, cancelSub := e.Subscribe(100)
	defer cancelSub()
	_, err := e.Submit(ctx, bulk.Run{Name: "ev", Op: restrict.OpRestrict}, bulk.Subjects(subjects(3, "p")...))
	require.NoError(t, err)
	require.NoError(t, e.Start(ctx))
	defer func() { require.NoError(t, e.Stop(ctx)) }()
	outcomes, retries := 0, 0
	for outcomes < 3 {
		select {
		case ev := <-events:
			require.Equal(t, "ev", ev.Run)
			switch ev.Kind {
			case bulk.EventOutcome:
				outcomes++
				require.Equal(t, bulk.ResultOK, ev.Result)
			case bulk.EventRetry:
				retries++
				require.Equal(t, "c0001", ev.Subject)
				require.Equal(t, "unavailable", ev.Class)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("no event")
		}
	}
	require.Equal(t, 1, retries)
}

// When the journal cannot be written on a job's last attempt, the job must
// not be discarded without its row: it comes back until the row is written.
func TestJournalFailureOnLastAttemptKeepsTheJob(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "bulk.db")+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)")
	require.NoError(t, err)
	db.SetMaxOpenConns(1)
	defer db.Close()
	cfg := fastConfig()
	cfg.MaxAttempts = 1
	e, err := bulk.OpenSQLite(ctx, db, cfg)
	require.NoError(t, err)
	defer e.Close()
	p := newScripted("p")
	require.NoError(t, e.Register("p", p, bulk.Limits{}))
	_, err = e.Submit(ctx, bulk.Run{Name: "jf", Op: restrict.OpRestrict}, bulk.Subjects(subjects(1, "p")...))
	require.NoError(t, err)
	_, err = db.Exec(`CREATE TRIGGER fail_finish BEFORE UPDATE OF result ON restrict_bulk_outcome
		BEGIN SELECT RAISE(ABORT, 'journal unavailable'); END`)
	require.NoError(t, err)
	require.NoError(t, e.Start(ctx))
	defer func() { require.NoError(t, e.Stop(ctx)) }()
	require.Eventually(t, func() bool { return p.count("p-0000") >= 3 }, 20*time.Second, time.Millisecond)
	pr, err := e.Progress(ctx, "jf")
	require.NoError(t, err)
	require.Equal(t, int64(1), pr.All.Pending)
	_, err = db.Exec(`DROP TRIGGER fail_finish`)
	require.NoError(t, err)
	wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	pr, err = e.Wait(wctx, "jf")
	require.NoError(t, err)
	require.Equal(t, bulk.Counts{Total: 1, OK: 1, Restricted: 1}, pr.All)
	var states []string
	rows, err := db.Query(`SELECT state FROM river_job`)
	require.NoError(t, err)
	for rows.Next() {
		var s string
		require.NoError(t, rows.Scan(&s))
		states = append(states, s)
	}
	require.NoError(t, rows.Err())
	require.Equal(t, []string{"completed"}, states)
}

func TestMisuse(t *testing.T) {
	ctx := context.Background()
	e := openSQLite(t, fastConfig())
	require.ErrorContains(t, e.Start(ctx), "no provider registered")
	require.ErrorContains(t, e.Register("Purse EU", &restricttest.Fake{}, bulk.Limits{}), "provider name")
	require.ErrorContains(t, e.Register("purse", nil, bulk.Limits{}), "nil")
	require.NoError(t, e.Register("purse", &restricttest.Fake{}, bulk.Limits{}))
	_, err := e.Wait(ctx, "never-submitted")
	require.ErrorIs(t, err, bulk.ErrRunNotFound)
	for _, err := range e.Outcomes(ctx, bulk.Filter{}) {
		require.ErrorContains(t, err, "Filter.Run is required")
	}
	_, err = e.Submit(ctx, bulk.Run{Name: "keyless", Op: restrict.OpRestrict}, bulk.Subjects(bulk.Subject{IDs: map[string]string{"purse": "1"}}))
	require.ErrorContains(t, err, "key: empty")
	require.NoError(t, e.Start(ctx))
	require.ErrorContains(t, e.Start(ctx), "already started")
	require.ErrorContains(t, e.Register("other", &restricttest.Fake{}, bulk.Limits{}), "after Start")
	require.NoError(t, e.Stop(ctx))
	require.NoError(t, e.Stop(ctx), "a second Stop does nothing")
	require.NoError(t, e.Close())
	require.NoError(t, e.Close(), "a second Close does nothing")
}

// A team that already runs River works bulk jobs in its own client.
func TestOwnRiverClient(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "own.db")+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)")
	require.NoError(t, err)
	db.SetMaxOpenConns(1)
	defer db.Close()
	e, err := bulk.OpenSQLite(ctx, db, fastConfig())
	require.NoError(t, err)
	defer e.Close()
	fake := &restricttest.Fake{Provider: "purse"}
	require.NoError(t, e.Register("purse", fake, bulk.Limits{Concurrency: 2}))

	workers := river.NewWorkers()
	require.NoError(t, e.AddWorkers(workers))
	client, err := river.NewClient(riversqlite.New(db), &river.Config{
		Queues:        e.Queues(),
		Workers:       workers,
		FetchCooldown: time.Millisecond,
		Logger:        slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	require.NoError(t, err)
	require.NoError(t, client.Start(ctx))
	defer func() { require.NoError(t, client.Stop(ctx)) }()

	_, err = e.Submit(ctx, bulk.Run{Name: "own", Op: restrict.OpRestrict}, bulk.Subjects(subjects(5, "purse")...))
	require.NoError(t, err)
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	p, err := e.Wait(wctx, "own")
	require.NoError(t, err)
	require.Equal(t, bulk.Counts{Total: 5, OK: 5, Restricted: 5}, p.All)
	require.Len(t, fake.Calls(), 5)
}

// River's unique jobs are the second guard of idempotency: with the journal
// rows and the run gone (deleted by hand), a re-submission recreates them
// but River inserts no second job for the same (run, subject, provider).
func TestRiverUniqueJobsGuardResubmission(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "unique.db")+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)")
	require.NoError(t, err)
	db.SetMaxOpenConns(1)
	defer db.Close()
	e, err := bulk.OpenSQLite(ctx, db, fastConfig())
	require.NoError(t, err)
	defer e.Close()
	run := bulk.Run{Name: "unique", Op: restrict.OpRestrict}
	first, err := e.Submit(ctx, run, bulk.Subjects(subjects(4, "a", "b")...))
	require.NoError(t, err)
	require.Equal(t, int64(8), first.Jobs)
	_, err = db.Exec(`DELETE FROM restrict_bulk_outcome`)
	require.NoError(t, err)
	_, err = db.Exec(`DELETE FROM restrict_bulk_run`)
	require.NoError(t, err)
	again, err := e.Submit(ctx, run, bulk.Subjects(subjects(4, "a", "b")...))
	require.NoError(t, err)
	require.Equal(t, bulk.Submitted{Subjects: 4, Jobs: 0, Existing: 8}, *again)
	var jobs int
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM river_job`).Scan(&jobs))
	require.Equal(t, 8, jobs)

	a, b := &restricttest.Fake{Provider: "a"}, &restricttest.Fake{Provider: "b"}
	require.NoError(t, e.Register("a", a, bulk.Limits{}))
	require.NoError(t, e.Register("b", b, bulk.Limits{}))
	require.NoError(t, e.Start(ctx))
	defer func() { require.NoError(t, e.Stop(ctx)) }()
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	p, err := e.Wait(wctx, "unique")
	require.NoError(t, err)
	require.Equal(t, bulk.Counts{Total: 8, OK: 8, Restricted: 8}, p.All)
	require.Len(t, a.Calls(), 4)
	require.Len(t, b.Calls(), 4)
}

// Processes that open one new SQLite file at once (a "restrict runs"
// beside a starting "restrict run") all succeed: the one that loses the
// race to create River's tables migrates again once they exist.
func TestConcurrentOpensOfOneNewSQLiteFile(t *testing.T) {
	t.Parallel()
	dsn := "file:" + filepath.Join(t.TempDir(), "race.db")
	const n = 4
	errs := make(chan error, n)
	for range n {
		go func() {
			e, err := bulk.Open(context.Background(), dsn, bulk.Config{})
			if err == nil {
				err = e.Close()
			}
			errs <- err
		}()
	}
	for range n {
		require.NoError(t, <-errs)
	}
}
