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

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/bulk"
	"github.com/restrictkit/restrict/restricttest"
)

// runToEnd submits run and waits for it on a started engine.
func runToEnd(t *testing.T, e *bulk.Engine, run bulk.Run, subs []bulk.Subject) {
	t.Helper()
	ctx := context.Background()
	_, err := e.Submit(ctx, run, bulk.Subjects(subs...))
	require.NoError(t, err)
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	_, err = e.Wait(wctx, run.Name)
	require.NoError(t, err)
}

// startFakes registers fakes a and b on e and starts it.
func startFakes(t *testing.T, e *bulk.Engine) (a, b *restricttest.Fake) {
	t.Helper()
	ctx := context.Background()
	a, b = &restricttest.Fake{Provider: "a"}, &restricttest.Fake{Provider: "b"}
	require.NoError(t, e.Register("a", a, bulk.Limits{Concurrency: 4}))
	require.NoError(t, e.Register("b", b, bulk.Limits{Concurrency: 4}))
	require.NoError(t, e.Start(ctx))
	t.Cleanup(func() { _ = e.Stop(context.Background()) })
	return a, b
}

func TestSubmittedBy(t *testing.T) {
	databases(t, fastConfig(), func(t *testing.T, e *bulk.Engine) {
		ctx := context.Background()
		run := bulk.Run{Name: "by", Op: restrict.OpRestrict, SubmittedBy: "otto"}
		_, err := e.Submit(ctx, run, bulk.Subjects(subjects(2, "a")...))
		require.NoError(t, err)
		run.SubmittedBy = "vera"
		_, err = e.Submit(ctx, run, bulk.Subjects(subjects(2, "a")...))
		require.NoError(t, err)
		ri, err := e.Run(ctx, "by")
		require.NoError(t, err)
		require.Equal(t, "otto", ri.SubmittedBy, "the first submission's is kept")
		runs, err := e.Runs(ctx)
		require.NoError(t, err)
		require.Len(t, runs, 1)
		require.Equal(t, "otto", runs[0].SubmittedBy)

		_, err = e.Submit(ctx, bulk.Run{Name: "bad-by", Op: restrict.OpRestrict, SubmittedBy: "o\x1b[31m"}, bulk.Subjects(subjects(1, "a")...))
		require.ErrorContains(t, err, "submitted by")
	})
}

// A journal written before submitted_by and the webhook tables existed
// gets them on Open, once; its runs read as submitted by nobody, and an
// engine opened with SkipMigrations names what is missing.
func TestOpenAddsSubmittedByAndTheWebhookTables(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	e, err := bulk.Open(ctx, path, fastConfig())
	require.NoError(t, err)
	_, err = e.Submit(ctx, bulk.Run{Name: "old", Op: restrict.OpRestrict, SubmittedBy: "gone"}, bulk.Subjects(subjects(2, "a")...))
	require.NoError(t, err)
	require.NoError(t, e.Close())

	db, err := sql.Open("sqlite", "file:"+path)
	require.NoError(t, err)
	for _, q := range []string{
		`ALTER TABLE restrict_bulk_run DROP COLUMN submitted_by`,
		`DROP TABLE restrict_bulk_webhook_event`,
		`DROP TABLE restrict_bulk_webhook_target`,
		`DROP INDEX restrict_bulk_outcome_target`,
	} {
		_, err = db.Exec(q)
		require.NoError(t, err, q)
	}
	require.NoError(t, db.Close())

	cfg := fastConfig()
	cfg.SkipMigrations = true
	_, err = bulk.Open(ctx, path, cfg)
	require.ErrorIs(t, err, bulk.ErrNotMigrated)
	require.ErrorContains(t, err, "column restrict_bulk_run.submitted_by")
	require.ErrorContains(t, err, "table restrict_bulk_webhook_event")

	for i := range 2 { // idempotent
		e, err = bulk.Open(ctx, path, fastConfig())
		require.NoError(t, err)
		ri, err := e.Run(ctx, "old")
		require.NoError(t, err)
		require.Equal(t, "", ri.SubmittedBy)
		stored, err := e.RecordWebhookEvent(ctx, bulk.WebhookEvent{ID: "x", Provider: "a", Targets: []string{"a-0000"}})
		require.NoError(t, err)
		require.Equal(t, i == 0, stored)
		require.NoError(t, e.Close())
	}
}

// The same on Postgres: an older schema gets the column and the tables.
func TestOpenAddsSubmittedByAndTheWebhookTablesPostgres(t *testing.T) {
	ctx := context.Background()
	url, schema := testSchema(t)
	cfg := fastConfig()
	cfg.Schema = schema
	e, err := bulk.Open(ctx, url, cfg)
	require.NoError(t, err)
	_, err = e.Submit(ctx, bulk.Run{Name: "old", Op: restrict.OpRestrict, SubmittedBy: "gone"}, bulk.Subjects(subjects(2, "a")...))
	require.NoError(t, err)
	require.NoError(t, e.Close())

	pool, err := pgxpool.New(ctx, url)
	require.NoError(t, err)
	defer pool.Close()
	for _, q := range []string{
		`ALTER TABLE %s.restrict_bulk_run DROP COLUMN submitted_by`,
		`DROP TABLE %s.restrict_bulk_webhook_event`,
		`DROP TABLE %s.restrict_bulk_webhook_target`,
		`DROP INDEX %s.restrict_bulk_outcome_target`,
	} {
		_, err = pool.Exec(ctx, fmt.Sprintf(q, pgx.Identifier{schema}.Sanitize()))
		require.NoError(t, err, q)
	}

	skip := cfg
	skip.SkipMigrations = true
	_, err = bulk.Open(ctx, url, skip)
	require.ErrorIs(t, err, bulk.ErrNotMigrated)
	require.ErrorContains(t, err, "column restrict_bulk_run.submitted_by")

	for i := range 2 {
		e, err = bulk.Open(ctx, url, cfg)
		require.NoError(t, err)
		ri, err := e.Run(ctx, "old")
		require.NoError(t, err)
		require.Equal(t, "", ri.SubmittedBy)
		stored, err := e.RecordWebhookEvent(ctx, bulk.WebhookEvent{ID: "x", Provider: "a", Targets: []string{"a-0000"}})
		require.NoError(t, err)
		require.Equal(t, i == 0, stored)
		evs, err := e.SubjectEvents(ctx, "c0000")
		require.NoError(t, err)
		require.Len(t, evs, 1)
		require.NoError(t, e.Close())
	}
}

func TestOutcomesPageFilters(t *testing.T) {
	databases(t, fastConfig(), func(t *testing.T, e *bulk.Engine) {
		ctx := context.Background()
		_, b := startFakes(t, e)
		b.FailWith("b-0003", &restrict.APIError{Provider: "b", Class: restrict.ErrNotFound, StatusCode: 404, Message: "no such customer"})
		subs := subjects(12, "a", "b")
		subs = append(subs, bulk.Subject{Key: "ünï-1", IDs: map[string]string{"a": "a-u1"}}, bulk.Subject{Key: "ünx-2", IDs: map[string]string{"a": "a-u2"}})
		runToEnd(t, e, bulk.Run{Name: "f", Op: restrict.OpRestrict}, subs)

		var all []bulk.Outcome
		for o, err := range e.Outcomes(ctx, bulk.Filter{Run: "f"}) {
			require.NoError(t, err)
			all = append(all, o)
		}
		require.Len(t, all, 26)

		// Pages of every size concatenate to the unfiltered list.
		for _, limit := range []int{1, 3, 7, 26, 100} {
			var got []bulk.Outcome
			f := bulk.Filter{Run: "f"}
			for {
				page, err := e.OutcomesPage(ctx, f, limit)
				require.NoError(t, err)
				require.LessOrEqual(t, len(page), limit)
				got = append(got, page...)
				if len(page) < limit {
					break
				}
				last := page[len(page)-1]
				f.After = &bulk.OutcomeKey{Subject: last.Subject, Provider: last.Provider}
			}
			require.Equal(t, all, got, "limit %d", limit)
		}

		keys := func(f bulk.Filter) []string {
			t.Helper()
			page, err := e.OutcomesPage(ctx, f, 100)
			require.NoError(t, err)
			var out []string
			for _, o := range page {
				out = append(out, o.Subject+"/"+o.Provider)
			}
			return out
		}
		require.Equal(t, []string{"c0003/b"}, keys(bulk.Filter{Run: "f", Class: "not_found"}))
		require.Equal(t, []string{"c0003/b"}, keys(bulk.Filter{Run: "f", Result: bulk.ResultFailed}))
		require.Len(t, keys(bulk.Filter{Run: "f", State: restrict.StateRestricted}), 25)
		require.Len(t, keys(bulk.Filter{Run: "f", State: restrict.StateRestricted, Provider: "b"}), 11)
		require.Equal(t, []string{"c0010/a", "c0010/b", "c0011/a", "c0011/b"}, keys(bulk.Filter{Run: "f", SubjectPrefix: "c001"}))
		require.Equal(t, []string{"ünï-1/a"}, keys(bulk.Filter{Run: "f", SubjectPrefix: "ünï"}), "a prefix counts characters, not bytes")
		require.Empty(t, keys(bulk.Filter{Run: "f", SubjectPrefix: "c%"}), "no wildcard")
		require.Equal(t, []string{"c0011/b", "ünx-2/a", "ünï-1/a"}, keys(bulk.Filter{Run: "f", After: &bulk.OutcomeKey{Subject: "c0011", Provider: "a"}}))
		require.Equal(t, []string{"c0011/a"}, keys(bulk.Filter{Run: "f", Provider: "a", SubjectPrefix: "c00", After: &bulk.OutcomeKey{Subject: "c0010", Provider: "b"}}))

		// Outcomes streams from f.After too.
		var streamed []string
		for o, err := range e.Outcomes(ctx, bulk.Filter{Run: "f", After: &bulk.OutcomeKey{Subject: "ünx-2", Provider: "a"}}) {
			require.NoError(t, err)
			streamed = append(streamed, o.Subject)
		}
		require.Equal(t, []string{"ünï-1"}, streamed, "keys compare as bytes")

		_, err := e.OutcomesPage(ctx, bulk.Filter{Run: "f"}, 0)
		require.Error(t, err)
		_, err = e.OutcomesPage(ctx, bulk.Filter{}, 10)
		require.Error(t, err)
	})
}

func TestSubjectOutcomes(t *testing.T) {
	databases(t, fastConfig(), func(t *testing.T, e *bulk.Engine) {
		ctx := context.Background()
		startFakes(t, e)
		runToEnd(t, e, bulk.Run{Name: "z-first", Op: restrict.OpRestrict}, subjects(3, "a", "b"))
		runToEnd(t, e, bulk.Run{Name: "a-second", Op: restrict.OpLift}, subjects(2, "a"))
		got, err := e.SubjectOutcomes(ctx, "c0001")
		require.NoError(t, err)
		var keys []string
		for _, o := range got {
			keys = append(keys, o.Run+"/"+o.Provider+"/"+string(o.Op)+"/"+o.Target)
			require.Equal(t, "c0001", o.Subject)
			require.Equal(t, bulk.ResultOK, o.Result)
		}
		require.Equal(t, []string{"z-first/a/restrict/a-0001", "z-first/b/restrict/b-0001", "a-second/a/lift/a-0001"}, keys, "oldest run first")
		got, err = e.SubjectOutcomes(ctx, "nobody")
		require.NoError(t, err)
		require.Empty(t, got)
	})
}

// SubmitTx records who submitted the run too.
func TestSubmitTxRecordsSubmittedBy(t *testing.T) {
	ctx := context.Background()
	db := ownSQLiteDB(t)
	e, err := bulk.OpenSQLite(ctx, db, fastConfig())
	require.NoError(t, err)
	defer e.Close()
	tx, err := db.BeginTx(ctx, nil)
	require.NoError(t, err)
	_, err = e.SubmitTx(ctx, tx, bulk.Run{Name: "tx", Op: restrict.OpRestrict, SubmittedBy: "billing-service"}, bulk.Subjects(subjects(1, "a")...))
	require.NoError(t, err)
	require.NoError(t, tx.Commit())
	ri, err := e.Run(ctx, "tx")
	require.NoError(t, err)
	require.Equal(t, "billing-service", ri.SubmittedBy)
}
