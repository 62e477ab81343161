package bulk_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/bulk"
	"github.com/restrictkit/restrict/restricttest"
)

// The benchmarks of docs/PERFORMANCE.md, section "Bulk". Each iteration is
// a whole run on a fresh database, so run them with -benchtime 1x (a run
// of 50,000 jobs is long enough to time on its own):
//
//	go test -run '^$' -bench 'BenchmarkEngine' -benchtime 1x -count 3 ./bulk/
//	go test -run '^$' -bench 'BenchmarkLoopback' -benchtime 1x ./bulk/
//
// With RESTRICT_TEST_DATABASE_URL set, the Postgres variants run too.
// BULK_BENCH_SUBJECTS changes the number of subjects (default 10,000 for
// BenchmarkEngine).

var benchProviders = []string{"cryptomus", "customerv2", "kpayment", "purse", "walletplatform"}

func benchSubjects(def int) int {
	if n, err := strconv.Atoi(os.Getenv("BULK_BENCH_SUBJECTS")); err == nil && n > 0 {
		return n
	}
	return def
}

func benchEnv(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// benchConfig is the default configuration; BULK_BENCH_COOLDOWN_MS sets
// FetchCooldown and BULK_BENCH_CONCURRENCY each provider's concurrency, for
// experiments.
func benchConfig() bulk.Config {
	return bulk.Config{FetchCooldown: time.Duration(benchEnv("BULK_BENCH_COOLDOWN_MS", 0)) * time.Millisecond}
}

// benchOpen opens a fresh database of the named kind for one iteration.
func benchOpen(b *testing.B, db string, cfg bulk.Config) *bulk.Engine {
	b.Helper()
	var dsn string
	switch db {
	case "sqlite":
		dsn = filepath.Join(b.TempDir(), "bench.db")
	case "postgres":
		var schema string
		dsn, schema = testSchema(b)
		cfg.Schema = schema
	}
	e, err := bulk.Open(context.Background(), dsn, cfg)
	require.NoError(b, err)
	b.Cleanup(func() { _ = e.Close() })
	return e
}

func benchDatabases(b *testing.B, fn func(b *testing.B, db string)) {
	b.Run("sqlite", func(b *testing.B) { fn(b, "sqlite") })
	b.Run("postgres", func(b *testing.B) {
		postgresURL(b)
		fn(b, "postgres")
	})
}

// subjectStream yields n subjects with an ID at each provider, made on the
// fly: the benchmark's own memory does not grow with n.
func subjectStream(n int, providers []string, id func(provider string, i int) string) func(func(bulk.Subject, error) bool) {
	return func(yield func(bulk.Subject, error) bool) {
		for i := range n {
			ids := make(map[string]string, len(providers))
			for _, p := range providers {
				ids[p] = id(p, i)
			}
			if !yield(bulk.Subject{Key: fmt.Sprintf("customer-%07d", i), IDs: ids}, nil) {
				return
			}
		}
	}
}

// workRun submits a run, works it to the end and returns the time of each.
func workRun(b *testing.B, e *bulk.Engine, run string, subjectsN int, providers []string, id func(string, int) string) (submit, work time.Duration) {
	ctx := context.Background()
	start := time.Now()
	sub, err := e.Submit(ctx, bulk.Run{Name: run, Action: bulk.ActionRestrict, Reason: "benchmark"}, subjectStream(subjectsN, providers, id))
	require.NoError(b, err)
	require.Equal(b, int64(subjectsN*len(providers)), sub.Jobs)
	submit = time.Since(start)

	events, stop := e.Subscribe(100_000)
	defer stop()
	var first, last time.Time
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range events {
			if ev.Kind == bulk.EventOutcome {
				if first.IsZero() {
					first = time.Now()
				}
				last = time.Now()
			}
		}
	}()
	start = time.Now()
	require.NoError(b, e.Start(ctx))
	wctx, cancel := context.WithTimeout(ctx, 30*time.Minute)
	defer cancel()
	p, err := e.Wait(wctx, run)
	require.NoError(b, err)
	work = time.Since(start)
	require.NoError(b, e.Stop(ctx))
	stop()
	<-done
	b.ReportMetric(first.Sub(start).Seconds(), "first-outcome-s")
	b.ReportMetric(last.Sub(start).Seconds(), "last-outcome-s")
	require.Equal(b, sub.Jobs, p.All.OK, "%+v", p.All)
	return submit, work
}

// BenchmarkEngine measures the engine's own cost: 10,000 subjects x 5
// providers against in-memory restrictors, no HTTP, 50 jobs at once per
// provider. jobs/s is the work
// phase (Start to the last outcome journaled); submit-jobs/s the
// submission.
func BenchmarkEngine(b *testing.B) {
	n := benchSubjects(10_000)
	benchDatabases(b, func(b *testing.B, db string) {
		for i := 0; b.Loop(); i++ {
			e := benchOpen(b, db, benchConfig())
			for _, p := range benchProviders {
				require.NoError(b, e.Register(p, &restricttest.Fake{Provider: p}, bulk.Limits{Concurrency: benchEnv("BULK_BENCH_CONCURRENCY", 50)}))
			}
			submit, work := workRun(b, e, fmt.Sprintf("bench-%d", i), n, benchProviders, func(p string, i int) string {
				return fmt.Sprintf("%s-%07d", p, i)
			})
			jobs := float64(n * len(benchProviders))
			b.ReportMetric(jobs/work.Seconds(), "jobs/s")
			b.ReportMetric(jobs/submit.Seconds(), "submit-jobs/s")
			b.ReportMetric(work.Seconds(), "work-s")
		}
	})
}

// static is a restrictor that answers at once and keeps nothing, so that a
// memory measurement sees the engine alone.
type static struct{}

func (static) Restrict(_ context.Context, t restrict.Target) (*restrict.Result, error) {
	return &restrict.Result{Provider: "static", Action: restrict.ActionBlock, TargetID: t.ID, State: restrict.StateRestricted, Meta: restrict.Meta{StatusCode: 200, Attempts: 1}}, nil
}

func (static) Lift(_ context.Context, t restrict.Target) (*restrict.Result, error) {
	return &restrict.Result{Provider: "static", Action: restrict.ActionUnblock, TargetID: t.ID, State: restrict.StateActive, Meta: restrict.Meta{StatusCode: 200, Attempts: 1}}, nil
}
