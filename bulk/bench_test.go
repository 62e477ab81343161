package bulk_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync/atomic"
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
	sub, err := e.Submit(ctx, bulk.Run{Name: run, Op: restrict.OpRestrict, Reason: "benchmark"}, subjectStream(subjectsN, providers, id))
	require.NoError(b, err)
	require.Equal(b, int64(subjectsN*len(providers)), sub.Jobs)
	submit = time.Since(start)

	span := outcomeSpan(e, 100_000)
	start = time.Now()
	require.NoError(b, e.Start(ctx))
	wctx, cancel := context.WithTimeout(ctx, 30*time.Minute)
	defer cancel()
	p, err := e.Wait(wctx, run)
	require.NoError(b, err)
	work = time.Since(start)
	require.NoError(b, e.Stop(ctx))
	first, last := span()
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

// BenchmarkPeakRSS runs a whole run (submission and work) of
// BULK_BENCH_SUBJECTS subjects (default 10,000) x 5 providers in a child
// process, against restrictors that keep nothing, and reports the child's
// peak resident set size (VmHWM from /proc/self/status, read by the child
// as it ends), the largest Go heap and live heap it sampled, and the
// database file's size:
//
//	BULK_BENCH_SUBJECTS=10000 go test -run '^$' -bench BenchmarkPeakRSS -benchtime 1x ./bulk/
//	BULK_BENCH_SUBJECTS=100000 go test -run '^$' -bench BenchmarkPeakRSS -benchtime 1x -timeout 60m ./bulk/
func BenchmarkPeakRSS(b *testing.B) {
	n := benchSubjects(10_000)
	benchDatabases(b, func(b *testing.B, db string) {
		for b.Loop() {
			dsn, schema := filepath.Join(b.TempDir(), "rss.db"), ""
			if db == "postgres" {
				dsn, schema = testSchema(b)
			}
			cmd := exec.Command(os.Args[0], "-test.run", "^TestRSSChild$", "-test.count", "1", "-test.timeout", "2h")
			cmd.Env = append(os.Environ(), "BULK_RSS_DSN="+dsn, "BULK_RSS_SCHEMA="+schema, "BULK_RSS_SUBJECTS="+strconv.Itoa(n))
			out, err := cmd.CombinedOutput()
			require.NoError(b, err, "%s", out)
			var hwm, heap, live int64
			for _, line := range strings.Split(string(out), "\n") {
				if f := strings.Fields(line); len(f) == 4 && f[0] == "RSS" {
					hwm, _ = strconv.ParseInt(f[1], 10, 64)
					heap, _ = strconv.ParseInt(f[2], 10, 64)
					live, _ = strconv.ParseInt(f[3], 10, 64)
				}
			}
			require.NotZero(b, hwm, "%s", out)
			b.ReportMetric(float64(hwm)/1024, "peak-RSS-MiB")
			b.ReportMetric(float64(heap)/(1<<20), "peak-heap-MiB")
			b.ReportMetric(float64(live)/(1<<20), "peak-live-heap-MiB")
			if db == "sqlite" {
				var size int64
				for _, suffix := range []string{"", "-wal"} {
					if fi, err := os.Stat(dsn + suffix); err == nil {
						size += fi.Size()
					}
				}
				b.ReportMetric(float64(size)/(1<<20), "db-MiB")
			}
		}
	})
}

// TestRSSChild is BenchmarkPeakRSS's child: it works a run and prints its
// peak RSS in KiB and the largest heap and live heap it saw, in bytes.
func TestRSSChild(t *testing.T) {
	dsn := os.Getenv("BULK_RSS_DSN")
	if dsn == "" {
		t.Skip("runs only as BenchmarkPeakRSS's child process")
	}
	n, err := strconv.Atoi(os.Getenv("BULK_RSS_SUBJECTS"))
	require.NoError(t, err)
	ctx := context.Background()
	e, err := bulk.Open(ctx, dsn, bulk.Config{Schema: os.Getenv("BULK_RSS_SCHEMA")})
	require.NoError(t, err)
	defer e.Close()
	for _, p := range benchProviders {
		require.NoError(t, e.Register(p, static{}, bulk.Limits{Concurrency: 50}))
	}
	var peakHeap, peakLive atomic.Uint64
	stopSampling := make(chan struct{})
	go func() {
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > peakHeap.Load() {
				peakHeap.Store(m.HeapAlloc)
			}
			// The live heap (what the last GC kept) is what would grow if
			// anything were held per subject; HeapAlloc also counts
			// garbage not collected yet, up to GOGC's doubling.
			metrics.Read(live)
			if v := live[0].Value.Uint64(); v > peakLive.Load() {
				peakLive.Store(v)
			}
			select {
			case <-stopSampling:
				return
			case <-tick.C:
			}
		}
	}()
	_, err = e.Submit(ctx, bulk.Run{Name: "rss", Op: restrict.OpRestrict}, subjectStream(n, benchProviders, func(p string, i int) string {
		return fmt.Sprintf("%s-%07d", p, i)
	}))
	require.NoError(t, err)
	require.NoError(t, e.Start(ctx))
	p, err := e.Wait(ctx, "rss")
	require.NoError(t, err)
	require.NoError(t, e.Stop(ctx))
	close(stopSampling)
	require.Equal(t, int64(n*len(benchProviders)), p.All.OK)
	status, err := os.ReadFile("/proc/self/status")
	require.NoError(t, err)
	for _, line := range strings.Split(string(status), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			fmt.Printf("RSS %s %d %d\n", f[1], peakHeap.Load(), peakLive.Load())
		}
	}
}
