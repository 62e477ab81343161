package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict/bulk"
)

// BenchmarkReport runs "restrict report" of a finished run of 10,000 and
// one of 100,000 subjects x 5 providers on SQLite, in each format, side by
// side: the 100,000-subject JSON report must take at most 3 s, and each
// format the same time per row whatever the run's size (ratio). The
// journal is written directly in SQL, not by working jobs:
//
//	go test -run '^$' -bench BenchmarkReport -benchtime 1x ./cmd/restrict/
func BenchmarkReport(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	dsn := "file:" + filepath.Join(dir, "restrict.db")
	e, err := bulk.Open(ctx, dsn, bulk.Config{})
	require.NoError(b, err)
	require.NoError(b, e.Close())
	db, err := sql.Open("sqlite", filepath.Join(dir, "restrict.db"))
	require.NoError(b, err)
	defer db.Close()
	now := time.Now().UTC()
	sizes := []int{10_000, 100_000}
	for _, n := range sizes {
		run := fmt.Sprintf("run-%d", n)
		_, err := db.ExecContext(ctx, `INSERT INTO restrict_bulk_run (name, action, created_at, submitted_at) VALUES (?, 'status', ?, ?)`, run, now, now)
		require.NoError(b, err)
		_, err = db.ExecContext(ctx, `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ? - 1)
			INSERT INTO restrict_bulk_outcome (run, subject, provider, target, action, result, state, http_status, http_attempts, job_attempts, http_attempts_known, request_id, started_at, finished_at)
			SELECT ?, printf('customer-%07d', i), p.name, 'id-' || i, 'status', 'ok', 'active', 200, 1, 1, 1, 'req-' || i, ?, ?
			FROM n, (SELECT 'cryptomus' AS name UNION ALL SELECT 'customerv2' UNION ALL SELECT 'kpayment' UNION ALL SELECT 'purse' UNION ALL SELECT 'walletplatform') AS p`,
			n, run, now, now)
		require.NoError(b, err)
	}
	report := func(format string, n int) time.Duration {
		start := time.Now()
		code := Main(ctx, []string{"report", "--name", fmt.Sprintf("run-%d", n), "--format", format, "--db", dsn},
			func(string) string { return "" }, streams{in: strings.NewReader(""), out: io.Discard, err: io.Discard})
		require.Equal(b, 0, code)
		return time.Since(start)
	}
	for _, format := range []string{"json", "csv", "table"} {
		b.Run(format, func(b *testing.B) {
			var small, large time.Duration
			for b.Loop() {
				small += report(format, sizes[0])
				large += report(format, sizes[1])
			}
			small, large = small/time.Duration(b.N), large/time.Duration(b.N)
			perRow := func(d time.Duration, n int) float64 { return float64(d.Nanoseconds()) / float64(n*5) }
			b.ReportMetric(large.Seconds(), "s/100k-run")
			b.ReportMetric(perRow(large, sizes[1])/perRow(small, sizes[0]), "ratio")
		})
	}
}
