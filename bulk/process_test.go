package bulk_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/signal"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/bulk"
	"github.com/restrictkit/restrict/internal/testkit"
	"github.com/restrictkit/restrict/restricttest"
)

// These tests run workers as real child processes: the test binary runs
// itself again with -test.run naming TestWorkerChild and the work to do in
// the environment. The providers are one loopback HTTP server in the
// parent, which counts every call, so the count survives a child's SIGKILL.

var childProviders = []string{"alpha", "beta", "gamma"}

// counter is the providers' server: it answers every call after delay and
// records it.
type counter struct {
	delay    time.Duration
	inflight atomic.Int64 // requests being answered

	mu          sync.Mutex
	calls       map[string]int // provider/target -> calls
	first, last time.Time
}

func newCounter(t *testing.T, delay time.Duration) (*counter, string) {
	c := &counter{delay: delay, calls: map[string]int{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.inflight.Add(1)
		defer c.inflight.Add(-1)
		time.Sleep(c.delay)
		c.mu.Lock()
		now := time.Now()
		if c.first.IsZero() {
			c.first = now
		}
		c.last = now
		c.calls[strings.TrimPrefix(r.URL.Path, "/")+"/"+r.URL.Query().Get("id")]++
		c.mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	return c, srv.URL
}

func (c *counter) snapshot() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.calls))
	for k, v := range c.calls {
		out[k] = v
	}
	return out
}

func (c *counter) total() int {
	n := 0
	for _, v := range c.snapshot() {
		n += v
	}
	return n
}

// httpRestrictor is a provider reached over loopback HTTP.
type httpRestrictor struct {
	name, url string
	client    *http.Client
}

func (h *httpRestrictor) call(ctx context.Context, t restrict.Target) (*restrict.Result, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.url+"/"+h.name+"?id="+t.ID, nil)
	if err != nil {
		return nil, err
	}
	resp, err := h.client.Do(req)
	if err != nil {
		return nil, &restrict.APIError{Provider: h.name, Class: restrict.ErrUnavailable, Message: "no answer", Err: err}
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, &restrict.APIError{Provider: h.name, Class: restrict.ErrUnavailable, StatusCode: resp.StatusCode}
	}
	return &restrict.Result{Provider: h.name, Action: restrict.ActionBlock, TargetID: t.ID, State: restrict.StateRestricted,
		Meta: restrict.Meta{StatusCode: 200, Attempts: 1}}, nil
}

func (h *httpRestrictor) Restrict(ctx context.Context, t restrict.Target) (*restrict.Result, error) {
	return h.call(ctx, t)
}

func (h *httpRestrictor) Lift(ctx context.Context, t restrict.Target) (*restrict.Result, error) {
	return h.call(ctx, t)
}

// childConfig is the children's engine configuration: a crashed child's
// jobs are rescued after 3 s instead of 90 s.
func childConfig(schema string) bulk.Config {
	return bulk.Config{
		Schema:            schema,
		RetryPolicy:       fastRetry{},
		MinBackoff:        time.Millisecond,
		MaxBackoff:        50 * time.Millisecond,
		JobTimeout:        2 * time.Second,
		RescueAfter:       3 * time.Second,
		FetchCooldown:     time.Millisecond,
		FetchPollInterval: 50 * time.Millisecond,
	}
}

// TestWorkerChild is the child's side: it works BULK_CHILD_RUN until it is
// finished, then exits. It does nothing in a normal test run.
func TestWorkerChild(t *testing.T) {
	dsn := os.Getenv("BULK_CHILD_DSN")
	if dsn == "" {
		t.Skip("runs only as a child process of TestCrash* and TestTwoWorkers*")
	}
	ctx := context.Background()
	concurrency, _ := strconv.Atoi(os.Getenv("BULK_CHILD_CONCURRENCY"))
	// BULK_CHILD_MEMORY is BenchmarkWorkers' child: the default
	// configuration (but BULK_BENCH_COOLDOWN_MS) and in-memory providers.
	memory := os.Getenv("BULK_CHILD_MEMORY") != ""
	cfg := childConfig(os.Getenv("BULK_CHILD_SCHEMA"))
	if memory {
		schema := cfg.Schema
		cfg = benchConfig()
		cfg.Schema = schema
	}
	if path := os.Getenv("BULK_CHILD_CPUPROFILE"); path != "" {
		// BenchmarkWorkers' BULK_BENCH_CPUPROFILE: where a worker's CPU goes.
		f, err := os.Create(path)
		require.NoError(t, err)
		require.NoError(t, pprof.StartCPUProfile(f))
		defer f.Close()
		defer pprof.StopCPUProfile()
	}
	e, err := bulk.Open(ctx, dsn, cfg)
	require.NoError(t, err)
	defer e.Close()
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	if memory {
		for _, p := range benchProviders {
			require.NoError(t, e.Register(p, &restricttest.Fake{Provider: p}, bulk.Limits{Concurrency: concurrency}))
		}
	} else {
		for _, p := range childProviders {
			require.NoError(t, e.Register(p, &httpRestrictor{name: p, url: os.Getenv("BULK_CHILD_URL"), client: hc}, bulk.Limits{Concurrency: concurrency}))
		}
	}
	if memory {
		// BenchmarkWorkers' parent waits for the run and then stops its
		// workers with SIGTERM, so that four workers do not pay for four
		// Wait loops polling the database where one worker pays for one.
		term, stop := signal.NotifyContext(ctx, syscall.SIGTERM)
		defer stop()
		require.NoError(t, e.Start(ctx))
		fmt.Println("READY")
		select {
		case <-term.Done():
		case <-time.After(2 * time.Minute):
			t.Fatal("the parent did not stop this worker")
		}
		require.NoError(t, e.Stop(ctx))
		return
	}
	require.NoError(t, e.Start(ctx))
	fmt.Println("READY")
	wctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	// The parent may submit the run only once every worker is ready.
	for {
		_, err = e.Wait(wctx, os.Getenv("BULK_CHILD_RUN"))
		if !errors.Is(err, bulk.ErrRunNotFound) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	require.NoError(t, err)
	require.NoError(t, e.Stop(ctx))
}

type child struct {
	test string // the test function the child runs
	cmd  *exec.Cmd
	out  *testkit.SyncBuffer
}

// startChild starts a worker process of run; env adds to its environment.
func startChild(t testing.TB, dsn, schema, url, run string, concurrency int, env ...string) *child {
	t.Helper()
	return startTestProcess(t, "TestWorkerChild", append([]string{
		"BULK_CHILD_DSN=" + dsn, "BULK_CHILD_SCHEMA=" + schema, "BULK_CHILD_URL=" + url,
		"BULK_CHILD_RUN=" + run, "BULK_CHILD_CONCURRENCY=" + strconv.Itoa(concurrency)}, env...)...)
}

// startTestProcess starts this test binary running test alone, with env
// added to its environment, and kills it when t ends if it still runs.
func startTestProcess(t testing.TB, test string, env ...string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run", "^"+test+"$", "-test.count", "1", "-test.v")
	cmd.Env = append(os.Environ(), env...)
	out := &testkit.SyncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	return &child{test: test, cmd: cmd, out: out}
}

func (c *child) ready(t testing.TB) {
	t.Helper()
	require.Eventually(t, func() bool { return strings.Contains(c.out.String(), "READY") }, time.Minute, 5*time.Millisecond,
		"the child did not start:\n%s", c.out)
}

func (c *child) wait(t testing.TB) {
	t.Helper()
	err := c.cmd.Wait()
	require.NoError(t, err, "child failed:\n%s", c.out)
	require.Contains(t, c.out.String(), "--- PASS: "+c.test, "child did not work:\n%s", c.out)
}

func submitChildRun(t *testing.T, e *bulk.Engine, run string, n int) {
	t.Helper()
	_, err := e.Submit(context.Background(), bulk.Run{Name: run, Op: restrict.OpRestrict}, bulk.Subjects(subjects(n, childProviders...)...))
	require.NoError(t, err)
}

func TestCrashSQLite(t *testing.T) {
	dsn := "file:" + t.TempDir() + "/crash.db"
	e, err := bulk.Open(context.Background(), dsn, childConfig(""))
	require.NoError(t, err)
	defer e.Close()
	crash(t, e, dsn, "")
}

func TestCrashPostgres(t *testing.T) {
	t.Parallel()
	url, schema := testSchema(t)
	e, err := bulk.Open(context.Background(), url, childConfig(schema))
	require.NoError(t, err)
	defer e.Close()
	crash(t, e, url, schema)
}

// crash kills a child working a run with SIGKILL once some outcomes are
// journaled, starts another on the same database, and checks that the run
// completes with exactly one final outcome per (subject, provider), no job
// lost, and no second call for any job that had completed before the kill.
func crash(t *testing.T, e *bulk.Engine, dsn, schema string) {
	ctx := context.Background()
	const subjectsN = 60
	jobs := int64(subjectsN * len(childProviders))
	cnt, url := newCounter(t, 15*time.Millisecond)
	submitChildRun(t, e, "crash", subjectsN)

	first := startChild(t, dsn, schema, url, "crash", 2)
	require.Eventually(t, func() bool {
		p, err := e.Progress(ctx, "crash")
		// Killed with a call in flight, so that its job is an orphan.
		return err == nil && p.All.Done() >= jobs/4 && cnt.inflight.Load() > 0
	}, time.Minute, 2*time.Millisecond, "the first child journaled too little:\n%s", first.out)
	require.NoError(t, first.cmd.Process.Signal(syscall.SIGKILL))
	_ = first.cmd.Wait()

	// What was journaled before the kill is final: nothing writes now.
	before := map[string]bool{}
	for o, err := range e.Outcomes(ctx, bulk.Filter{Run: "crash", Result: bulk.ResultOK}) {
		require.NoError(t, err)
		before[o.Provider+"/"+o.Target] = true
	}
	require.NotEmpty(t, before)
	require.Less(t, int64(len(before)), jobs, "the child finished before it was killed; make the run longer")
	t.Logf("killed the first child after %d of %d outcomes, %d calls", len(before), jobs, cnt.total())

	// The jobs the dead child had in flight are orphans, seen as such
	// once no live worker could still hold them (JobTimeout 2 s), and
	// given back at their start + RescueAfter (3 s).
	killed := time.Now()
	var orphans bulk.Orphans
	require.Eventually(t, func() bool {
		var err error
		orphans, err = e.Orphaned(ctx, "crash")
		require.NoError(t, err)
		return orphans.Jobs > 0
	}, 10*time.Second, 10*time.Millisecond, "no orphan seen")
	require.LessOrEqual(t, orphans.Jobs, int64(2*len(childProviders)), "at most the child's slots")
	require.WithinRange(t, orphans.RescueAt, killed.Add(time.Second), killed.Add(3*time.Second+100*time.Millisecond))
	require.GreaterOrEqual(t, time.Since(killed), 2*time.Second, "not before JobTimeout has passed")
	t.Logf("%d orphans, rescued at %s (%s after the kill)", orphans.Jobs, orphans.RescueAt.Format(time.RFC3339Nano), orphans.RescueAt.Sub(killed))

	second := startChild(t, dsn, schema, url, "crash", 2)
	second.wait(t)
	none, err := e.Orphaned(ctx, "crash")
	require.NoError(t, err)
	require.Zero(t, none.Jobs)

	p, err := e.Progress(ctx, "crash")
	require.NoError(t, err)
	require.Equal(t, bulk.Counts{Total: jobs, OK: jobs, Restricted: jobs}, p.All, "every (subject, provider) has one final outcome")
	calls := cnt.snapshot()
	rows, lowerBound := 0, 0
	for o, err := range e.Outcomes(ctx, bulk.Filter{Run: "crash"}) {
		require.NoError(t, err)
		rows++
		key := o.Provider + "/" + o.Target
		require.GreaterOrEqual(t, calls[key], 1, key)
		if before[key] {
			require.Equal(t, 1, calls[key], "%s completed before the kill and was called again", key)
		}
		// A call cut off by the kill was sent: it counts as a job attempt
		// and, its HTTP count lost, as one HTTP attempt, a lower bound.
		require.GreaterOrEqual(t, o.JobAttempts, calls[key], key)
		require.GreaterOrEqual(t, o.HTTPAttempts, calls[key], key)
		require.Equal(t, o.JobAttempts > 1, o.HTTPAttemptsLowerBound, "%s: %+v", key, o)
		if o.JobAttempts > 1 {
			lowerBound++
		}
	}
	require.Positive(t, lowerBound, "no job was in flight at the kill")
	require.GreaterOrEqual(t, int64(lowerBound), orphans.Jobs, "every orphan was worked again, as a second attempt")
	require.Equal(t, int(jobs), rows)
	require.Len(t, calls, int(jobs), "no call for anything but the run's jobs")
	// No job lost or left behind in River: a second submission adds none.
	again, err := e.Submit(ctx, bulk.Run{Name: "crash", Op: restrict.OpRestrict, AcceptFinished: true}, bulk.Subjects(subjects(subjectsN, childProviders...)...))
	require.NoError(t, err)
	require.Zero(t, again.Jobs)
}

// TestTwoWorkersPostgres runs two worker processes on one Postgres run
// against a slow provider (200 ms a call, 2 at a time per provider and
// process): each job is worked once, and the two finish in less time than
// one. The run is submitted once every worker is ready, and timed at the
// provider, from its first call to its last, so that process start-up does
// not count.
func TestTwoWorkersPostgres(t *testing.T) {
	// Not parallel: the crash tests' children would compete for the CPU
	// that the timing compares.
	ctx := context.Background()
	const subjectsN = 20
	jobs := subjectsN * len(childProviders)
	span := func(workers int) time.Duration {
		url, schema := testSchema(t)
		e, err := bulk.Open(ctx, url, childConfig(schema))
		require.NoError(t, err)
		defer e.Close()
		cnt, srvURL := newCounter(t, 200*time.Millisecond)
		run := fmt.Sprintf("two-%d", workers)
		var children []*child
		for range workers {
			children = append(children, startChild(t, url, schema, srvURL, run, 2))
		}
		for _, c := range children {
			c.ready(t)
		}
		submitChildRun(t, e, run, subjectsN)
		for _, c := range children {
			c.wait(t)
		}
		calls := cnt.snapshot()
		require.Len(t, calls, jobs)
		for key, n := range calls {
			require.Equal(t, 1, n, "%s was worked %d times", key, n)
		}
		p, err := e.Progress(ctx, run)
		require.NoError(t, err)
		require.Equal(t, int64(jobs), p.All.OK)
		return cnt.last.Sub(cnt.first)
	}
	one := span(1)
	two := span(2)
	t.Logf("provider busy for %s with one worker, %s with two", one, two)
	require.Less(t, two, one)
}
