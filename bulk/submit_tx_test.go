package bulk_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/bulk"
	"github.com/restrictkit/restrict/restricttest"
)

// txPostgres is an engine on a pool of the test's own schema, with a
// business table "orders" beside the journal.
func txPostgres(t *testing.T, cfg bulk.Config) (*bulk.Engine, *pgxpool.Pool, string) {
	t.Helper()
	ctx := context.Background()
	pool, cfg := ownPostgresPool(t, cfg)
	schema := cfg.Schema
	e, err := bulk.OpenPostgres(ctx, pool, cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = e.Close() })
	_, err = pool.Exec(ctx, `CREATE TABLE `+pgx.Identifier{schema, "orders"}.Sanitize()+` (id TEXT PRIMARY KEY)`)
	require.NoError(t, err)
	return e, pool, schema
}

// count counts the rows of schema.table.
func count(t *testing.T, pool *pgxpool.Pool, schema, table string) int {
	t.Helper()
	var n int
	require.NoError(t, pool.QueryRow(context.Background(), `SELECT count(*) FROM `+pgx.Identifier{schema, table}.Sanitize()).Scan(&n))
	return n
}

// A business change and the run it calls for commit together, and the run
// is worked once committed; nothing of it is seen before.
func TestSubmitTxCommitPostgres(t *testing.T) {
	e, pool, schema := txPostgres(t, fastConfig())
	ctx := context.Background()
	fake := &restricttest.Fake{Provider: "purse"}
	require.NoError(t, e.Register("purse", fake, bulk.Limits{}))
	require.NoError(t, e.Start(ctx))

	tx, err := pool.Begin(ctx)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback(ctx) }()
	_, err = tx.Exec(ctx, `INSERT INTO `+pgx.Identifier{schema, "orders"}.Sanitize()+` (id) VALUES ('o-1')`)
	require.NoError(t, err)
	sub, err := e.SubmitTx(ctx, tx, bulk.Run{Name: "tx", Op: restrict.OpRestrict, Reason: "chargeback"}, bulk.Subjects(subjects(3, "purse")...))
	require.NoError(t, err)
	require.Equal(t, bulk.Submitted{Subjects: 3, Jobs: 3}, *sub)
	_, err = e.Run(ctx, "tx")
	require.ErrorIs(t, err, bulk.ErrRunNotFound, "not visible before the commit")
	require.Zero(t, count(t, pool, schema, "river_job"))
	require.NoError(t, tx.Commit(ctx))

	require.Equal(t, 1, count(t, pool, schema, "orders"))
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	p, err := e.Wait(wctx, "tx")
	require.NoError(t, err)
	require.Equal(t, bulk.Counts{Total: 3, OK: 3, Restricted: 3}, p.All)
	require.Len(t, fake.Calls(), 3)
	require.NoError(t, e.Stop(ctx))
}

// A rollback leaves no run, no journal row and no River job, and no
// business row either.
func TestSubmitTxRollbackPostgres(t *testing.T) {
	e, pool, schema := txPostgres(t, fastConfig())
	ctx := context.Background()
	tx, err := pool.Begin(ctx)
	require.NoError(t, err)
	_, err = tx.Exec(ctx, `INSERT INTO `+pgx.Identifier{schema, "orders"}.Sanitize()+` (id) VALUES ('o-1')`)
	require.NoError(t, err)
	_, err = e.SubmitTx(ctx, tx, bulk.Run{Name: "tx", Op: restrict.OpRestrict}, bulk.Subjects(subjects(3, "purse", "cryptomus")...))
	require.NoError(t, err)
	require.NoError(t, tx.Rollback(ctx))

	_, err = e.Run(ctx, "tx")
	require.ErrorIs(t, err, bulk.ErrRunNotFound)
	for _, table := range []string{"restrict_bulk_run", "restrict_bulk_outcome", "river_job", "orders"} {
		require.Zero(t, count(t, pool, schema, table), table)
	}
}

// One transaction may hold several SubmitTx of a run: the later ones are
// re-submissions that add nothing.
func TestSubmitTxTwiceInOneTxPostgres(t *testing.T) {
	e, pool, schema := txPostgres(t, fastConfig())
	ctx := context.Background()
	tx, err := pool.Begin(ctx)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback(ctx) }()
	run := bulk.Run{Name: "tx", Op: restrict.OpRestrict}
	sub, err := e.SubmitTx(ctx, tx, run, bulk.Subjects(subjects(3, "purse")...))
	require.NoError(t, err)
	require.Equal(t, int64(3), sub.Jobs)
	for range 2 {
		sub, err = e.SubmitTx(ctx, tx, run, bulk.Subjects(subjects(3, "purse")...))
		require.NoError(t, err)
		require.Equal(t, bulk.Submitted{Subjects: 3, Existing: 3}, *sub)
	}
	require.NoError(t, tx.Commit(ctx))
	require.Equal(t, 3, count(t, pool, schema, "river_job"))
	ri, err := e.Run(ctx, "tx")
	require.NoError(t, err)
	require.False(t, ri.SubmittedAt.IsZero())
	require.Equal(t, int64(3), ri.Jobs)
}

// A refused submission leaves nothing of itself in the caller's
// transaction, which stays usable: the batches a new run had written before
// the conflict are rolled back with it, and the caller's own rows commit.
func TestSubmitTxRefusalLeavesTxUsablePostgres(t *testing.T) {
	cfg := fastConfig()
	cfg.SubmitBatch = 2
	e, pool, schema := txPostgres(t, cfg)
	ctx := context.Background()
	orders := pgx.Identifier{schema, "orders"}.Sanitize()

	tx, err := pool.Begin(ctx)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback(ctx) }()
	subs := subjects(4, "purse")
	subs[3].Key = subs[0].Key // the same key with other IDs, in the second batch
	sub, err := e.SubmitTx(ctx, tx, bulk.Run{Name: "conflict", Op: restrict.OpRestrict}, bulk.Subjects(subs...))
	var conflict *bulk.ConflictError
	require.ErrorAs(t, err, &conflict)
	require.Zero(t, sub.Jobs)

	// A statement that fails aborts a Postgres transaction; SubmitTx's
	// rollback to its savepoint undoes that too. A trigger refuses the
	// journal row of subject "boom".
	fn := pgx.Identifier{schema, "refuse"}.Sanitize()
	_, err = pool.Exec(ctx, `CREATE FUNCTION `+fn+`() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN IF NEW.subject = 'boom' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$`)
	require.NoError(t, err)
	_, err = pool.Exec(ctx, `CREATE TRIGGER refuse BEFORE INSERT ON `+pgx.Identifier{schema, "restrict_bulk_outcome"}.Sanitize()+
		` FOR EACH ROW EXECUTE FUNCTION `+fn+`()`)
	require.NoError(t, err)
	_, err = e.SubmitTx(ctx, tx, bulk.Run{Name: "boom", Op: restrict.OpRestrict}, bulk.Subjects(bulk.Subject{Key: "boom", IDs: map[string]string{"purse": "p"}}))
	require.ErrorContains(t, err, "refused by the test")
	require.NotErrorIs(t, err, bulk.ErrTxUnusable)
	_, err = e.SubmitTx(ctx, tx, bulk.Run{Name: "bad", Op: restrict.OpRestrict}, bulk.Subjects(bulk.Subject{Key: "k", IDs: map[string]string{"purse": "p"}}))
	require.NoError(t, err)
	_, err = tx.Exec(ctx, `INSERT INTO `+orders+` (id) VALUES ('o-1')`)
	require.NoError(t, err)
	require.NoError(t, tx.Commit(ctx))

	require.Equal(t, 1, count(t, pool, schema, "orders"))
	for _, name := range []string{"conflict", "boom"} {
		_, err = e.Run(ctx, name)
		require.ErrorIs(t, err, bulk.ErrRunNotFound)
	}
	require.Equal(t, 1, count(t, pool, schema, "restrict_bulk_outcome"), "only run bad's one row")
	require.Equal(t, 1, count(t, pool, schema, "river_job"))

	// A re-submission is checked in the caller's transaction as Submit
	// checks it: another reason conflicts, a finished run is refused.
	tx, err = pool.Begin(ctx)
	require.NoError(t, err)
	_, err = e.SubmitTx(ctx, tx, bulk.Run{Name: "bad", Op: restrict.OpRestrict, Reason: "other"}, bulk.Subjects(bulk.Subject{Key: "k", IDs: map[string]string{"purse": "p"}}))
	require.ErrorAs(t, err, &conflict)
	require.Equal(t, "reason", conflict.Field)
	require.ErrorIs(t, err, restrict.ErrConflict)
	_, err = tx.Exec(ctx, `INSERT INTO `+orders+` (id) VALUES ('o-2')`)
	require.NoError(t, err, "the transaction is still usable")
	require.NoError(t, tx.Commit(ctx))

	fake := &restricttest.Fake{Provider: "purse"}
	require.NoError(t, e.Register("purse", fake, bulk.Limits{}))
	require.NoError(t, e.Start(ctx))
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	_, err = e.Wait(wctx, "bad")
	require.NoError(t, err)
	require.NoError(t, e.Stop(ctx))
	tx, err = pool.Begin(ctx)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback(ctx) }()
	_, err = e.SubmitTx(ctx, tx, bulk.Run{Name: "bad", Op: restrict.OpRestrict}, bulk.Subjects(bulk.Subject{Key: "k", IDs: map[string]string{"purse": "p"}}))
	var finished *bulk.RunFinishedError
	require.ErrorAs(t, err, &finished)
	sub, err = e.SubmitTx(ctx, tx, bulk.Run{Name: "bad", Op: restrict.OpRestrict, AcceptFinished: true}, bulk.Subjects(bulk.Subject{Key: "k", IDs: map[string]string{"purse": "p"}}))
	require.NoError(t, err)
	require.Equal(t, bulk.Submitted{Subjects: 1, Existing: 1}, *sub)
}

// A transaction of the wrong kind is refused before anything is done.
func TestSubmitTxWrongKind(t *testing.T) {
	e, pool, _ := txPostgres(t, fastConfig())
	ctx := context.Background()
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	stx, err := db.BeginTx(ctx, nil)
	require.NoError(t, err)
	defer func() { _ = stx.Rollback() }()
	run := bulk.Run{Name: "wrong", Op: restrict.OpRestrict}
	_, err = e.SubmitTx(ctx, stx, run, bulk.Subjects(subjects(1, "purse")...))
	require.ErrorIs(t, err, bulk.ErrWrongTx)
	require.ErrorContains(t, err, "wants a pgx.Tx, got *sql.Tx")
	_, err = e.SubmitTx(ctx, nil, run, bulk.Subjects(subjects(1, "purse")...))
	require.ErrorIs(t, err, bulk.ErrWrongTx)

	le := openSQLite(t, fastConfig())
	tx, err := pool.Begin(ctx)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback(ctx) }()
	_, err = le.SubmitTx(ctx, tx, run, bulk.Subjects(subjects(1, "purse")...))
	require.ErrorIs(t, err, bulk.ErrWrongTx)
	require.ErrorContains(t, err, "wants a *sql.Tx")
	_, err = le.SubmitTx(ctx, (*sql.Tx)(nil), run, bulk.Subjects(subjects(1, "purse")...))
	require.ErrorIs(t, err, bulk.ErrWrongTx)
}

// With SQLite, SubmitTx takes a *sql.Tx of the engine's database and uses
// no other connection: a database of one connection does not deadlock.
func TestSubmitTxSQLite(t *testing.T) {
	ctx := context.Background()
	db := ownSQLiteDB(t)
	e, err := bulk.OpenSQLite(ctx, db, fastConfig())
	require.NoError(t, err)
	defer e.Close()
	_, err = db.Exec(`CREATE TABLE orders (id TEXT PRIMARY KEY)`)
	require.NoError(t, err)
	rows := func(table string) int {
		var n int
		require.NoError(t, db.QueryRow(`SELECT count(*) FROM `+table).Scan(&n))
		return n
	}
	submit := func(name string, ok, commit bool) {
		tx, err := db.BeginTx(ctx, nil)
		require.NoError(t, err)
		_, err = tx.Exec(`INSERT INTO orders (id) VALUES (?)`, name)
		require.NoError(t, err)
		subs := subjects(3, "purse")
		if !ok {
			subs[2].Key = subs[0].Key
		}
		_, err = e.SubmitTx(ctx, tx, bulk.Run{Name: name, Op: restrict.OpRestrict}, bulk.Subjects(subs...))
		if ok {
			require.NoError(t, err)
		} else {
			var conflict *bulk.ConflictError
			require.ErrorAs(t, err, &conflict)
		}
		if commit {
			require.NoError(t, tx.Commit())
		} else {
			require.NoError(t, tx.Rollback())
		}
	}
	submit("rolled-back", true, false)
	require.Zero(t, rows("orders"))
	require.Zero(t, rows("restrict_bulk_run"))
	require.Zero(t, rows("restrict_bulk_outcome"))
	require.Zero(t, rows("river_job"))

	submit("refused", false, true)
	require.Equal(t, 1, rows("orders"), "the transaction stayed usable")
	require.Zero(t, rows("restrict_bulk_outcome"))

	submit("committed", true, true)
	require.Equal(t, 2, rows("orders"))
	require.Equal(t, 3, rows("river_job"))
	fake := &restricttest.Fake{Provider: "purse"}
	require.NoError(t, e.Register("purse", fake, bulk.Limits{}))
	require.NoError(t, e.Start(ctx))
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	p, err := e.Wait(wctx, "committed")
	require.NoError(t, err)
	require.Equal(t, bulk.Counts{Total: 3, OK: 3, Restricted: 3}, p.All)
	require.NoError(t, e.Stop(ctx))
}

// A connection that breaks during SubmitTx leaves a transaction that
// cannot be undone to the savepoint: the error says it can only be rolled
// back. A trigger ends the connection's own backend.
func TestSubmitTxBrokenConnectionSaysTxUnusable(t *testing.T) {
	e, pool, schema := txPostgres(t, fastConfig())
	ctx := context.Background()
	fn := pgx.Identifier{schema, "hang_up"}.Sanitize()
	_, err := pool.Exec(ctx, `CREATE FUNCTION `+fn+`() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NEW; END $$`)
	require.NoError(t, err)
	_, err = pool.Exec(ctx, `CREATE TRIGGER hang_up BEFORE INSERT ON `+pgx.Identifier{schema, "restrict_bulk_outcome"}.Sanitize()+
		` FOR EACH ROW EXECUTE FUNCTION `+fn+`()`)
	require.NoError(t, err)
	tx, err := pool.Begin(ctx)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback(ctx) }()
	sub, err := e.SubmitTx(ctx, tx, bulk.Run{Name: "hang-up", Op: restrict.OpRestrict}, bulk.Subjects(subjects(1, "purse")...))
	require.ErrorIs(t, err, bulk.ErrTxUnusable)
	require.Zero(t, sub.Jobs)
	_, err = e.Run(ctx, "hang-up")
	require.ErrorIs(t, err, bulk.ErrRunNotFound)
}
