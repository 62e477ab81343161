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

// postgresCPU sums the CPU time of the machine's postgres processes.
func postgresCPU(b *testing.B) time.Duration {
	comms, err := filepath.Glob("/proc/[0-9]*/comm")
	require.NoError(b, err)
	var total time.Duration
	for _, p := range comms {
		name, err := os.ReadFile(p)
		if err != nil || !strings.HasPrefix(string(name), "postgres") {
			continue // gone meanwhile, or another program
		}
		pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(p)))
		if d, ok := procCPU(pid); ok {
			total += d
		}
	}
	return total
}
