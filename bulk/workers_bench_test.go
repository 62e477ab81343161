package bulk_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/bulk"
)

// BenchmarkWorkers measures what more worker processes cost on one
// Postgres, in one benchmark run: a run of BULK_BENCH_SUBJECTS (default
// 2,000) subjects x 5 in-memory providers is worked by one worker process,
// then a run of the same size on a fresh schema by four at once. Each
// worker is a child process (TestWorkerChild) with the default Config and
// Limits{Concurrency: 50} per provider; the run is submitted once every
// worker is ready. jobs/s is the run's jobs over the time from the first
// outcome's start to the last one's finish, as the journal records them,
// so that process start-up and Wait's polling do not count; ratio is
// four's jobs/s over one's (issue 19's target: at least 0.95).
//
// conns and idle-in-tx are the peaks of the workers' sessions in
// pg_stat_activity (all their sessions, told apart from the parent's and
// other tests' by an application_name of the run's own) and of those idle
// in a transaction, sampled every 200 ms while the run is worked.
// BULK_BENCH_CONCURRENCY sets the per-provider concurrency and
// BULK_BENCH_POOL_MAX_CONNS the workers' pool_max_conns and BULK_BENCH_COOLDOWN_MS
// their FetchCooldown, for experiments.
//
//	RESTRICT_TEST_DATABASE_URL=... go test -run '^$' -bench BenchmarkWorkers -benchtime 1x -count 3 ./bulk/
func BenchmarkWorkers(b *testing.B) {
	postgresURL(b)
	n := benchSubjects(2_000)
	concurrency := benchEnv("BULK_BENCH_CONCURRENCY", 50)
	for b.Loop() {
		one := workersRun(b, 1, n, concurrency)
		four := workersRun(b, 4, n, concurrency)
		b.ReportMetric(one.rate, "one-jobs/s")
		b.ReportMetric(four.rate, "four-jobs/s")
		b.ReportMetric(four.rate/one.rate, "ratio")
		b.ReportMetric(float64(one.conns), "one-conns")
		b.ReportMetric(float64(four.conns), "four-conns")
		b.ReportMetric(float64(one.idleInTx), "one-idle-in-tx")
		b.ReportMetric(float64(four.idleInTx), "four-idle-in-tx")
		b.ReportMetric(one.perFetch, "one-jobs/fetch")
		b.ReportMetric(four.perFetch, "four-jobs/fetch")
		b.ReportMetric(one.perCommit, "one-jobs/commit")
		b.ReportMetric(four.perCommit, "four-jobs/commit")
		b.ReportMetric(one.workerCPU, "one-worker-cpu-ms/kjob")
		b.ReportMetric(four.workerCPU, "four-worker-cpu-ms/kjob")
		b.ReportMetric(one.dbCPU, "one-db-cpu-ms/kjob")
		b.ReportMetric(four.dbCPU, "four-db-cpu-ms/kjob")
	}
}

type workersResult struct {
	rate            float64
	conns, idleInTx int
	// workerCPU is the worker processes' CPU time (user and system) per
	// 1,000 jobs, start-up included; dbCPU that of their Postgres
	// backends, as far as the sampler saw it.
	workerCPU, dbCPU float64
	// perFetch and perCommit are the jobs per River fetch and per group
	// commit.
	perFetch, perCommit float64
}

// workersRun works a run of n subjects x 5 providers with the given number
// of worker processes on a schema of its own.
func workersRun(b *testing.B, workers, n, concurrency int) workersResult {
	ctx := context.Background()
	dsn, schema := testSchema(b)
	// Open migrates the schema; this engine only submits and reads.
	e, err := bulk.Open(ctx, dsn, bulk.Config{Schema: schema})
	require.NoError(b, err)
	defer e.Close()

	app := "bulk_workers_" + schema
	childDSN := withParam(b, dsn, "application_name", app)
	if max := os.Getenv("BULK_BENCH_POOL_MAX_CONNS"); max != "" {
		childDSN = withParam(b, childDSN, "pool_max_conns", max)
	}
	run := fmt.Sprintf("workers-%d", workers)
	var children []*child
	for i := range workers {
		env := []string{"BULK_CHILD_MEMORY=1"}
		if dir := os.Getenv("BULK_BENCH_CPUPROFILE"); dir != "" {
			env = append(env, "BULK_CHILD_CPUPROFILE="+filepath.Join(dir, fmt.Sprintf("%s-%d.pprof", run, i)))
		}
		children = append(children, startChild(b, childDSN, schema, "", run, concurrency, env...))
	}
	for _, c := range children {
		c.ready(b)
	}

	sample := sampleSessions(b, dsn, app)
	_, err = e.Submit(ctx, bulk.Run{Name: run, Op: restrict.OpRestrict, Reason: "benchmark"}, subjectStream(n, benchProviders, func(p string, i int) string {
		return fmt.Sprintf("%s-%07d", p, i)
	}))
	require.NoError(b, err)
	wctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	_, err = e.Wait(wctx, run)
	require.NoError(b, err)
	var cpu time.Duration
	for _, c := range children {
		require.NoError(b, c.cmd.Process.Signal(syscall.SIGTERM))
	}
	for _, c := range children {
		c.wait(b)
		cpu += c.cmd.ProcessState.UserTime() + c.cmd.ProcessState.SystemTime()
	}
	conns, idleInTx, dbCPU := sample()

	var first, last time.Time
	jobs := 0
	for o, err := range e.Outcomes(ctx, bulk.Filter{Run: run, Result: bulk.ResultOK}) {
		require.NoError(b, err)
		jobs++
		if first.IsZero() || o.StartedAt.Before(first) {
			first = o.StartedAt
		}
		if o.FinishedAt.After(last) {
			last = o.FinishedAt
		}
	}
	require.Equal(b, n*len(benchProviders), jobs)
	perKJob := func(d time.Duration) float64 { return float64(d.Milliseconds()) / float64(jobs) * 1000 }
	fetches, commits := countBatches(b, dsn, schema)
	return workersResult{rate: float64(jobs) / last.Sub(first).Seconds(), conns: conns, idleInTx: idleInTx,
		workerCPU: perKJob(cpu), dbCPU: perKJob(dbCPU),
		perFetch: float64(jobs) / float64(fetches), perCommit: float64(jobs) / float64(commits)}
}

// countBatches counts the fetches and the group commits that worked the
// jobs of schema, from what they left on the rows: a fetch gives its jobs
// one attempted_at (the transaction's now()) and the client's ID, a group
// commit one finalized_at. Every job is worked once in the benchmark.
func countBatches(b *testing.B, dsn, schema string) (fetches, commits int) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(b, err)
	defer conn.Close(ctx)
	require.NoError(b, conn.QueryRow(ctx, `SELECT count(DISTINCT (attempted_at, attempted_by[array_length(attempted_by, 1)])),
		count(DISTINCT finalized_at) FROM "`+schema+`".river_job`).Scan(&fetches, &commits))
	return fetches, commits
}

// withParam is dsn, a URL, with the query parameter name set to value.
func withParam(b *testing.B, dsn, name, value string) string {
	u, err := url.Parse(dsn)
	require.NoError(b, err)
	q := u.Query()
	q.Set(name, value)
	u.RawQuery = q.Encode()
	return u.String()
}

// sampleSessions counts, every 200 ms on a connection of its own, the
// sessions of application app and those of them idle in a transaction,
// and reads the CPU time of each from /proc when Postgres runs on this
// machine; the function it returns stops sampling and returns the peaks
// and the CPU time the sessions had used when last seen.
func sampleSessions(b *testing.B, dsn, app string) func() (conns, idleInTx int, cpu time.Duration) {
	ctx, cancel := context.WithCancel(context.Background())
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(b, err)
	var (
		wg          sync.WaitGroup
		peak, peakI int
		cpu         = map[int]time.Duration{} // backend pid -> CPU time
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for {
			var c, i int
			err := conn.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE state = 'idle in transaction')
				FROM pg_stat_activity WHERE application_name = $1`, app).Scan(&c, &i)
			if err == nil {
				peak, peakI = max(peak, c), max(peakI, i)
			}
			var pids []int
			err = conn.QueryRow(ctx, `SELECT coalesce(array_agg(pid), '{}') FROM pg_stat_activity WHERE application_name = $1`, app).Scan(&pids)
			if err == nil {
				for _, pid := range pids {
					if d, ok := procCPU(pid); ok {
						cpu[pid] = max(cpu[pid], d)
					}
				}
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	return func() (int, int, time.Duration) {
		cancel()
		wg.Wait()
		_ = conn.Close(context.Background())
		var total time.Duration
		for _, d := range cpu {
			total += d
		}
		return peak, peakI, total
	}
}

// procCPU is the user and system CPU time of process pid, from
// /proc/pid/stat (in clock ticks, 100 a second on Linux).
func procCPU(pid int) (time.Duration, bool) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, false
	}
	// The command name, in parentheses, may hold spaces; the fields
	// counted from after it are state (3), ..., utime (14), stime (15).
	s := string(data)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0, false
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return time.Duration(u+st) * 10 * time.Millisecond, true
}
