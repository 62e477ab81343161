package bulk_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/bulk"
	"github.com/restrictkit/restrict/restricttest"
)

// BenchmarkCPUPerJob measures what a job costs in CPU on Postgres, in the
// worker and in the database server: N/5 subjects x 5 in-memory providers
// (restricttest.Fake, Concurrency 50), default Config, worked by the
// engine in this process from Start to Wait. worker-cpu-ms/job is this
// process's CPU time (getrusage) over the jobs; server-cpu-ms/job the CPU
// time of every postgres process on the machine (/proc/<pid>/stat), so
// run it on a machine whose PostgreSQL does nothing else.
func BenchmarkCPUPerJob(b *testing.B) {
	n := benchSubjects(2_000)
	for b.Loop() {
		b.StopTimer()
		e := benchOpen(b, "postgres", benchConfig())
		for _, p := range benchProviders {
			require.NoError(b, e.Register(p, &restricttest.Fake{Provider: p}, bulk.Limits{Concurrency: 50}))
		}
		ctx := context.Background()
		_, err := e.Submit(ctx, bulk.Run{Name: "cpu", Op: restrict.OpRestrict}, bulk.Subjects(subjects(n, benchProviders...)...))
		require.NoError(b, err)
		b.StartTimer()
		worker, server := selfCPU(), postgresCPU(b)
		start := time.Now()
		require.NoError(b, e.Start(ctx))
		_, err = e.Wait(ctx, "cpu")
		require.NoError(b, err)
		took := time.Since(start)
		worker, server = selfCPU()-worker, postgresCPU(b)-server
		require.NoError(b, e.Stop(ctx))
		jobs := float64(n * len(benchProviders))
		b.ReportMetric(float64(worker.Microseconds())/1000/jobs, "worker-cpu-ms/job")
		b.ReportMetric(float64(server.Microseconds())/1000/jobs, "server-cpu-ms/job")
		b.ReportMetric(jobs/took.Seconds(), "jobs/s")
	}
}

func selfCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// postgresCPU sums the user and system time of the machine's postgres
// processes, in clock ticks of 10 ms (USER_HZ on Linux).
func postgresCPU(b *testing.B) time.Duration {
	stats, err := filepath.Glob("/proc/[0-9]*/stat")
	require.NoError(b, err)
	var ticks int64
	for _, p := range stats {
		raw, err := os.ReadFile(p)
		if err != nil {
			continue // gone meanwhile
		}
		s := string(raw)
		open, close := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || close < open || !strings.HasPrefix(s[open+1:close], "postgres") {
			continue
		}
		f := strings.Fields(s[close+2:])
		// After the name: state is field 3 of stat, utime 14, stime 15.
		u, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		ticks += u + st
	}
	return time.Duration(ticks) * 10 * time.Millisecond
}
