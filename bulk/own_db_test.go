package bulk_test

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict/bulk"
)

// ownSQLiteDB is a SQLite database of the caller's own, as OpenSQLite
// wants it: one connection, WAL and a busy timeout. It is closed at the
// test's end.
func ownSQLiteDB(t testing.TB) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "own.db")+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)")
	require.NoError(t, err)
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// ownPostgresPool is a Postgres pool of the caller's own, closed at the
// test's end, and cfg for a schema of the test's own.
func ownPostgresPool(t testing.TB, cfg bulk.Config) (*pgxpool.Pool, bulk.Config) {
	t.Helper()
	url, schema := testSchema(t)
	pool, err := pgxpool.New(context.Background(), url)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	cfg.Schema = schema
	return pool, cfg
}

// startOwnClient starts a River client of the caller's own on driver
// (no retry policy of its own), working e's queues through AddWorkers; it
// is stopped at the test's end.
func startOwnClient[TTx any](t testing.TB, driver riverdriver.Driver[TTx], e *bulk.Engine, schema string) {
	t.Helper()
	workers := river.NewWorkers()
	require.NoError(t, e.AddWorkers(workers))
	client, err := river.NewClient(driver, &river.Config{
		Schema:        schema,
		Queues:        e.Queues(),
		Workers:       workers,
		FetchCooldown: time.Millisecond,
		Logger:        slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	require.NoError(t, err)
	ctx := context.Background()
	require.NoError(t, client.Start(ctx))
	t.Cleanup(func() { require.NoError(t, client.Stop(ctx)) })
}
