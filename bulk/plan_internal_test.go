package bulk

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/testkit"
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
		rows, err := e.read.db.QueryContext(ctx, `EXPLAIN QUERY PLAN `+e.st.bind(q), args...)
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

// A report reads a run a page at a time; each page must start in the
// primary key at the last row of the page before, not scan the run from
// its start (which made a report quadratic) nor sort the run. SQLite's
// plan and Postgres's, for a run just written and never analyzed, show it.
func TestOutcomesPageUsesThePrimaryKey(t *testing.T) {
	filters := map[string]Filter{
		"run":      {Run: "r"},
		"provider": {Run: "r", Provider: "p2"},
		"result":   {Run: "r", Result: ResultOK},
	}
	t.Run("sqlite", func(t *testing.T) {
		ctx := context.Background()
		e, err := Open(ctx, filepath.Join(t.TempDir(), "plan.db"), Config{})
		require.NoError(t, err)
		defer e.Close()
		fillPlanRun(t, e, `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 1999)
			INSERT INTO restrict_bulk_outcome (run, subject, provider, target, action, result)
			SELECT 'r', printf('s%06d', i), 'p' || (i % 5), 't', 'status', 'ok' FROM n`)
		for name, f := range filters {
			plan := explainPage(t, e, `EXPLAIN QUERY PLAN `, f)
			require.Len(t, plan, 1, "%s: %s", name, plan)
			require.Contains(t, plan[0], "USING INDEX sqlite_autoindex_restrict_bulk_outcome_1 (run=? AND (subject,provider)>(?,?))", name)
		}
	})
	t.Run("postgres", func(t *testing.T) {
		url, schema := testkit.PostgresSchema(t, "bulk_plan_")
		ctx := context.Background()
		e, err := Open(ctx, url, Config{Schema: schema})
		require.NoError(t, err)
		defer e.Close()
		// Submitted, not inserted: the plan must hold for a run read just
		// after its submission, before autovacuum analyzed the journal.
		subjects := func(yield func(Subject, error) bool) {
			for i := range 2000 {
				ids := map[string]string{}
				for p := range 5 {
					ids[fmt.Sprintf("p%d", p)] = "t"
				}
				if !yield(Subject{Key: fmt.Sprintf("s%06d", i), IDs: ids}, nil) {
					return
				}
			}
		}
		_, err = e.Submit(ctx, Run{Name: "r", Op: restrict.OpStatus}, subjects)
		require.NoError(t, err)
		for _, name := range []string{"run", "provider"} {
			plan := strings.Join(explainPage(t, e, `EXPLAIN `, filters[name]), "\n")
			require.Contains(t, plan, "Index Scan using restrict_bulk_outcome_pkey", "%s:\n%s", name, plan)
			require.Contains(t, plan, "ROW(subject, provider) > ROW(", "%s: the key is the index's condition, not a filter:\n%s", name, plan)
			require.NotContains(t, plan, "Sort", "%s:\n%s", name, plan)
		}
	})
}

func fillPlanRun(t *testing.T, e *Engine, insert string) {
	t.Helper()
	_, err := e.read.db.Exec(e.st.bind(insert))
	require.NoError(t, err)
}

// explainPage is the plan of the second page of f's outcomes, a line a
// step.
func explainPage(t *testing.T, e *Engine, explain string, f Filter) []string {
	t.Helper()
	q, args := outcomesPage(f, &Outcome{Subject: "s000100", Provider: "p0"}, 500)
	rows, err := e.read.db.Query(explain+e.st.bind(q), args...)
	require.NoError(t, err)
	defer rows.Close()
	cols, err := rows.Columns()
	require.NoError(t, err)
	var plan []string
	for rows.Next() {
		dest := make([]any, len(cols))
		var detail string
		for i := range dest {
			dest[i] = new(any)
		}
		dest[len(dest)-1] = &detail
		require.NoError(t, rows.Scan(dest...))
		plan = append(plan, detail)
	}
	require.NoError(t, rows.Err())
	t.Logf("%s\n%s", q, strings.Join(plan, "\n"))
	return plan
}
