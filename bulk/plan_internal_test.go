package bulk

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Reading a run's FinishedAt, and its progress by state, must not scan the
// run's jobs: Wait reads the run every 100 ms. SQLite's plan shows it.
func TestRunAndProgressQueriesUseIndexes(t *testing.T) {
	ctx := context.Background()
	e, err := Open(ctx, filepath.Join(t.TempDir(), "plan.db"), Config{})
	require.NoError(t, err)
	defer e.Close()
	for name, q := range map[string]string{
		"run":      runSelect + ` WHERE r.name = ?`,
		"runs":     runSelect + ` ORDER BY r.created_at, r.name`,
		"progress": `SELECT provider, result, state, count(*) FROM {p}restrict_bulk_outcome WHERE run = ? GROUP BY provider, result, state ORDER BY provider`,
	} {
		var args []any
		if strings.Contains(q, "?") {
			args = []any{"r"}
		}
		rows, err := e.read.db.QueryContext(ctx, `EXPLAIN QUERY PLAN `+e.d.bind(q), args...)
		require.NoError(t, err)
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			require.NoError(t, rows.Scan(&id, &parent, &unused, &detail))
			plan = append(plan, detail)
		}
		require.NoError(t, rows.Err())
		require.NoError(t, rows.Close())
		t.Logf("%s:\n%s", name, strings.Join(plan, "\n"))
		for _, step := range plan {
			if strings.Contains(step, "restrict_bulk_outcome") || strings.HasPrefix(step, "SEARCH o ") || strings.HasPrefix(step, "SCAN o") {
				require.Contains(t, step, "COVERING INDEX", "%s: %s", name, step)
				require.True(t, strings.HasPrefix(step, "SEARCH"), "%s: %s", name, step)
			}
		}
	}
}

// BenchmarkRunOfAFinishedRun reads a finished run of 100,000 jobs: its
// FinishedAt costs a few index lookups, not a pass over the jobs.
//
//	go test -run '^$' -bench RunOfAFinishedRun ./bulk/
func BenchmarkRunOfAFinishedRun(b *testing.B) {
	ctx := context.Background()
	e, err := Open(ctx, filepath.Join(b.TempDir(), "bench.db"), Config{})
	require.NoError(b, err)
	defer e.Close()
	db := e.read.db
	_, err = db.ExecContext(ctx, `INSERT INTO restrict_bulk_run (name, action, created_at, submitted_at) VALUES ('big', 'status', ?, ?)`, time.Now().UTC(), time.Now().UTC())
	require.NoError(b, err)
	_, err = db.ExecContext(ctx, `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 99999)
		INSERT INTO restrict_bulk_outcome (run, subject, provider, target, action, result, state, finished_at)
		SELECT 'big', printf('c%06d', i), 'p' || (i % 5), 't', 'status', CASE WHEN i % 7 = 0 THEN 'failed' ELSE 'ok' END, 'active', ? FROM n`, time.Now().UTC())
	require.NoError(b, err)
	b.ResetTimer()
	for b.Loop() {
		ri, err := e.read.run(ctx, "big")
		if err != nil || !ri.Finished() {
			b.Fatal(err, ri)
		}
	}
}
