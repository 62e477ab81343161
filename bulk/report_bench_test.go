package bulk_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict/bulk"
)

// BenchmarkOutcomes reads every outcome of a finished run through
// Reader.Outcomes, as "restrict report" does, for a run of 10,000 and one
// of 100,000 subjects x 5 providers, side by side: reading must cost the
// same per row whatever the run's size (ratio, 100,000's time per row over
// 10,000's). The journal is written directly in SQL, without working
// jobs (on Postgres then analyzed, as Submit does), and read at once, as
// a report just after its run:
//
//	go test -run '^$' -bench 'BenchmarkOutcomes' -benchtime 1x ./bulk/
func BenchmarkOutcomes(b *testing.B) {
	benchDatabases(b, func(b *testing.B, db string) {
		ctx := context.Background()
		sizes := []int{10_000, 100_000}
		dsn, schema, fill := outcomesDatabase(b, db)
		for _, n := range sizes {
			fill(fmt.Sprintf("run-%d", n), n)
		}
		r, err := bulk.OpenReader(ctx, dsn, bulk.Config{Schema: schema})
		require.NoError(b, err)
		defer r.Close()
		read := func(n int) time.Duration {
			start := time.Now()
			rows := 0
			for _, err := range r.Outcomes(ctx, bulk.Filter{Run: fmt.Sprintf("run-%d", n)}) {
				if err != nil {
					b.Fatal(err)
				}
				rows++
			}
			require.Equal(b, n*len(benchProviders), rows)
			return time.Since(start)
		}
		b.ResetTimer()
		var small, large time.Duration
		for b.Loop() {
			small += read(sizes[0])
			large += read(sizes[1])
		}
		small, large = small/time.Duration(b.N), large/time.Duration(b.N)
		perRow := func(d time.Duration, n int) float64 { return float64(d.Nanoseconds()) / float64(n*len(benchProviders)) }
		b.ReportMetric(large.Seconds(), "s/100k-run")
		b.ReportMetric(perRow(small, sizes[0]), "ns/row-10k")
		b.ReportMetric(perRow(large, sizes[1]), "ns/row-100k")
		b.ReportMetric(perRow(large, sizes[1])/perRow(small, sizes[0]), "ratio")
	})
}

// outcomesDatabase is a fresh bulk database of the named kind, its DSN
// and schema, and a function that writes a finished run of n subjects x 5
// providers into it.
func outcomesDatabase(b *testing.B, db string) (dsn, schema string, fill func(run string, n int)) {
	b.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	switch db {
	case "sqlite":
		dsn = filepath.Join(b.TempDir(), "report.db")
	default:
		dsn, schema = testSchema(b)
	}
	e, err := bulk.Open(ctx, dsn, bulk.Config{Schema: schema})
	require.NoError(b, err)
	require.NoError(b, e.Close())
	if db == "sqlite" {
		sdb, err := sql.Open("sqlite", dsn)
		require.NoError(b, err)
		b.Cleanup(func() { _ = sdb.Close() })
		return dsn, schema, func(run string, n int) {
			_, err := sdb.ExecContext(ctx, `INSERT INTO restrict_bulk_run (name, action, created_at, submitted_at) VALUES (?, 'status', ?, ?)`, run, now, now)
			require.NoError(b, err)
			_, err = sdb.ExecContext(ctx, `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ? - 1)
				INSERT INTO restrict_bulk_outcome (run, subject, provider, target, action, result, state, http_status, http_attempts, job_attempts, http_attempts_known, request_id, started_at, finished_at)
				SELECT ?, printf('customer-%07d', i), p.name, 'id-' || i, 'status', 'ok', 'active', 200, 1, 1, 1, 'req-' || i, ?, ?
				FROM n, (SELECT 'cryptomus' AS name UNION ALL SELECT 'customerv2' UNION ALL SELECT 'kpayment' UNION ALL SELECT 'purse' UNION ALL SELECT 'walletplatform') AS p`,
				n, run, now, now)
			require.NoError(b, err)
		}
	}
	pool, err := pgxpool.New(ctx, dsn)
	require.NoError(b, err)
	b.Cleanup(pool.Close)
	outcome, runs := pgx.Identifier{schema, "restrict_bulk_outcome"}.Sanitize(), pgx.Identifier{schema, "restrict_bulk_run"}.Sanitize()
	return dsn, schema, func(run string, n int) {
		_, err := pool.Exec(ctx, `INSERT INTO `+runs+` (name, action, created_at, submitted_at) VALUES ($1, 'status', $2, $2)`, run, now)
		require.NoError(b, err)
		_, err = pool.Exec(ctx, `INSERT INTO `+outcome+` (run, subject, provider, target, action, result, state, http_status, http_attempts, job_attempts, http_attempts_known, request_id, started_at, finished_at)
			SELECT $1, 'customer-' || lpad(i::text, 7, '0'), p, 'id-' || i, 'status', 'ok', 'active', 200, 1, 1, 1, 'req-' || i, $2, $2
			FROM generate_series(0, $3 - 1) AS i, unnest(ARRAY['cryptomus', 'customerv2', 'kpayment', 'purse', 'walletplatform']) AS p`,
			run, now, n)
		require.NoError(b, err)
		// What Submit does after a submission of many jobs.
		_, err = pool.Exec(ctx, `ANALYZE `+outcome)
		require.NoError(b, err)
	}
}
