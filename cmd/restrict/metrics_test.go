package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict/internal/testkit"
)

// scrapedNames are the metric names a scrape of a working run shows.
var scrapedNames = []string{
	"restrict_bulk_jobs_total",
	"restrict_bulk_rate_limit_wait_seconds_bucket",
	"restrict_bulk_queue_depth",
	"river_work_count_total",
	"restrict_provider_requests_total",
	"restrict_provider_request_duration_seconds",
}

var servingRE = regexp.MustCompile(`serving /metrics, /healthz and /readyz on (http://\S+)`)

// served waits for the command to say where it serves, and returns the
// base URL.
func served(t *testing.T, o *operator) string {
	t.Helper()
	var base string
	require.Eventually(t, func() bool {
		m := servingRE.FindStringSubmatch(o.watch.String())
		if m != nil {
			base = m[1]
		}
		return m != nil
	}, time.Minute, 10*time.Millisecond, "the command says where it serves")
	return base
}

// serveWorker starts "restrict worker --metrics-addr 127.0.0.1:0 args..."
// and returns where it serves and a stop that interrupts it and returns
// what it left.
func serveWorker(t *testing.T, o *operator, args ...string) (base string, stop func() outcome) {
	t.Helper()
	o.watch = &testkit.SyncBuffer{}
	ctx, cancel := context.WithCancelCause(context.Background())
	done := make(chan outcome, 1)
	go func() {
		done <- o.mainContext(ctx, append([]string{"worker", "--metrics-addr", "127.0.0.1:0"}, args...)...)
	}()
	t.Cleanup(func() { cancel(errInterrupted) })
	return served(t, o), func() outcome {
		cancel(errInterrupted)
		return <-done
	}
}

// get asks url, with the bearer token if one is given, and returns the
// status and the body; status 0 when it could not ask. It never fails the
// test, so that require.Eventually's conditions may call it.
func get(url, token string) (int, string) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return 0, err.Error()
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func status(url, token string) int { code, _ := get(url, token); return code }

// jobsOK is restrict_bulk_jobs_total of provider's ok outcomes in a
// scrape, or -1 when the scrape has none.
func jobsOK(scrape, provider string) float64 {
	for _, line := range strings.Split(scrape, "\n") {
		labels, value, ok := strings.Cut(strings.TrimPrefix(line, "restrict_bulk_jobs_total{"), "} ")
		if !ok || !strings.HasPrefix(line, "restrict_bulk_jobs_total{") ||
			!strings.Contains(labels, `provider="`+provider+`"`) || !strings.Contains(labels, `result="ok"`) {
			continue
		}
		if v, err := strconv.ParseFloat(strings.TrimSpace(value), 64); err == nil {
			return v
		}
	}
	return -1
}

// A run with --metrics-addr serves its metrics while it works: two scrapes
// show restrict_bulk_jobs_total rising, with provider and result labels
// and no subject or customer ID; /healthz and /readyz answer 200; the
// listener is closed when the command ends. Not parallel: the command
// installs the otel globals, where the SDK's instruments record.
func TestRunServesMetrics(t *testing.T) {
	o := newOperator(t)
	o.fakes(12)
	o.watch = &testkit.SyncBuffer{}
	done := make(chan outcome, 1)
	go func() {
		done <- o.main("run", "--action", "status", "--subjects", o.path("subjects.csv"), "--no-progress", "--name", "scraped",
			"--rate", "purse=4", "--metrics-addr", "127.0.0.1:0")
	}()
	base := served(t, o)

	var first float64
	var scrape string
	require.Eventually(t, func() bool {
		_, scrape = get(base+"/metrics", "")
		first = jobsOK(scrape, "purse")
		return first > 0
	}, time.Minute, 20*time.Millisecond, "a first purse outcome is counted")
	// The names are looked for in every scrape until each was seen: the
	// queue depth is left out of a scrape whose query did not get SQLite's
	// one connection in time.
	missing := map[string]bool{}
	for _, name := range scrapedNames {
		missing[name] = true
	}
	require.Eventually(t, func() bool {
		_, later := get(base+"/metrics", "")
		for name := range missing {
			if strings.Contains(later, "\n"+name) {
				delete(missing, name)
			}
		}
		return jobsOK(later, "purse") > first && len(missing) == 0
	}, time.Minute, 20*time.Millisecond, "the count rises as the run goes on, and the scrapes show every name")
	for _, line := range o.subjectLines()[1:] {
		for _, field := range strings.Split(line, ",") {
			if field != "" {
				require.NotContains(t, scrape, `"`+field+`"`, "no subject or customer ID is a label")
			}
		}
	}
	require.NotContains(t, scrape, "scraped", "the run's name is no label")
	code, body := get(base+"/healthz", "")
	require.Equal(t, http.StatusOK, code, body)
	// Eventually: SQLite's one connection may be busy past the ping's
	// timeout while the run works.
	require.Eventually(t, func() bool { return status(base+"/readyz", "") == http.StatusOK }, time.Minute, 10*time.Millisecond)

	r := <-done
	require.Equal(t, 0, r.code, r.stderr)
	_, err := http.Get(base + "/healthz")
	require.Error(t, err, "the listener is closed when the command ends")
}

// With RESTRICT_METRICS_TOKEN set, every request needs it as a bearer
// token, and the token is never printed.
func TestMetricsNeedTheTokenWhenSet(t *testing.T) {
	const token = "metrics-token-7f3a"
	o := newOperator(t)
	o.fakes(2)
	o.env["RESTRICT_METRICS_TOKEN"] = token
	base, stop := serveWorker(t, o, "--log-level", "debug")
	// Ready once the worker has opened its database.
	require.Eventually(t, func() bool { return status(base+"/readyz", token) == http.StatusOK }, time.Minute, 10*time.Millisecond)
	for _, path := range []string{"/metrics", "/healthz", "/readyz"} {
		code, _ := get(base+path, "")
		require.Equal(t, http.StatusUnauthorized, code, "%s without the token", path)
		code, _ = get(base+path, "not-"+token)
		require.Equal(t, http.StatusUnauthorized, code, "%s with another token", path)
		code, body := get(base+path, token)
		require.Equal(t, http.StatusOK, code, "%s with the token: %s", path, body)
	}
	r := stop()
	require.Equal(t, 0, r.code, r.stderr)
	require.NotContains(t, r.stdout+r.stderr, token)
}

// A bad --metrics-addr, or one beyond loopback without the token, is
// refused with exit 2 before anything is created or sent.
func TestMetricsAddrRefusals(t *testing.T) {
	t.Parallel()
	o := newOperator(t)
	o.fakes(2)
	for _, tc := range []struct{ addr, says string }{
		{"0.0.0.0:9464", "RESTRICT_METRICS_TOKEN"},
		{":9464", "RESTRICT_METRICS_TOKEN"},
		{"nope", "--metrics-addr"},
		{"127.0.0.1:http", "--metrics-addr"},
	} {
		r := o.main("run", "--action", "restrict", "--subjects", o.path("subjects.csv"), "--yes", "--metrics-addr", tc.addr)
		require.Equal(t, 2, r.code, "%s: %s", tc.addr, r.stderr)
		require.Contains(t, r.stderr, tc.says, tc.addr)
		r = o.main("worker", "--metrics-addr", tc.addr)
		require.Equal(t, 2, r.code, "%s: %s", tc.addr, r.stderr)
		require.Contains(t, r.stderr, tc.says, tc.addr)
	}
	_, err := os.Stat(o.path("restrict.db"))
	require.ErrorIs(t, err, os.ErrNotExist, "no database was created")
}

// /readyz answers 503 while the database is cut off, and 200 again once it
// is back; /metrics goes on answering meanwhile.
func TestReadyzFollowsTheDatabase(t *testing.T) {
	dsn, proxy := postgresThroughProxy(t)
	o := newOperator(t)
	o.fakes(2)
	o.env["RESTRICT_DB"] = dsn
	base, stop := serveWorker(t, o)
	require.Eventually(t, func() bool { return status(base+"/readyz", "") == http.StatusOK }, time.Minute, 10*time.Millisecond,
		"ready once the database is open: %s", o.watch)
	// Cut once River has started: a database away at start is another test's.
	require.Eventually(t, func() bool { return strings.Contains(o.watch.String(), "worker: working") }, time.Minute, 10*time.Millisecond)
	proxy.Cut()
	require.Eventually(t, func() bool { return status(base+"/readyz", "") == http.StatusServiceUnavailable }, time.Minute, 10*time.Millisecond)
	code, _ := get(base+"/healthz", "")
	require.Equal(t, http.StatusOK, code, "alive while the database is away: %s", o.watch)
	code, body := get(base+"/metrics", "")
	require.Equal(t, http.StatusOK, code, "a scrape is not broken by the database: %s", body)
	proxy.Restore()
	require.Eventually(t, func() bool { return status(base+"/readyz", "") == http.StatusOK }, time.Minute, 10*time.Millisecond)
	r := stop()
	require.Equal(t, 0, r.code, r.stderr)
}

// With OTEL_EXPORTER_OTLP_ENDPOINT set, a run's traces and metrics are
// posted to it over OTLP/HTTP, flushed before the command exits.
func TestRunExportsOverOTLP(t *testing.T) {
	var mu sync.Mutex
	posts := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		mu.Lock()
		posts[r.Method+" "+r.URL.Path]++
		mu.Unlock()
		w.Header().Set("Content-Type", "application/x-protobuf")
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	o := newOperator(t)
	o.fakes(3)
	o.env["OTEL_EXPORTER_OTLP_ENDPOINT"] = srv.URL
	r := o.main("run", "--action", "status", "--subjects", o.path("subjects.csv"), "--no-progress")
	require.Equal(t, 0, r.code, r.stderr)
	mu.Lock()
	defer mu.Unlock()
	require.Positive(t, posts["POST /v1/traces"], "%v", posts)
	require.Positive(t, posts["POST /v1/metrics"], "%v", posts)
}
