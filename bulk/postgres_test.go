package bulk_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict/bulk"
)

// postgresURL returns the test database's URL from
// RESTRICT_TEST_DATABASE_URL, or skips the test when it is unset, saying how
// to run it. A set URL that cannot be reached fails the test: CI sets it
// and must not pass by skipping.
func postgresURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("RESTRICT_TEST_DATABASE_URL")
	if u == "" {
		t.Skip("Postgres tests skipped: set RESTRICT_TEST_DATABASE_URL to run them, e.g. " +
			"RESTRICT_TEST_DATABASE_URL='postgres://postgres@127.0.0.1:5432/test?sslmode=disable' go test ./bulk/ (bash .ci/run does)")
	}
	return u
}

// testSchema creates a schema of the test's own, dropped at the end, so that
// Postgres tests run in parallel and can be re-run.
func testSchema(t testing.TB) (url, schema string) {
	t.Helper()
	url = postgresURL(t)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema = "bulk_test_" + hex.EncodeToString(b)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err, "RESTRICT_TEST_DATABASE_URL is set but Postgres cannot be reached")
	_, err = conn.Exec(ctx, "CREATE SCHEMA "+schema)
	require.NoError(t, err)
	require.NoError(t, conn.Close(ctx))
	t.Cleanup(func() {
		conn, err := pgx.Connect(context.Background(), url)
		if err != nil {
			t.Errorf("dropping schema %s: %v", schema, err)
			return
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("dropping schema %s: %v", schema, err)
		}
	})
	return url, schema
}

func openPostgres(t testing.TB, cfg bulk.Config) *bulk.Engine {
	t.Helper()
	url, schema := testSchema(t)
	cfg.Schema = schema
	e, err := bulk.Open(context.Background(), url, cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = e.Close() })
	return e
}

func TestPostgresPool(t *testing.T) {
	url, schema := testSchema(t)
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, url)
	require.NoError(t, err)
	defer pool.Close()
	cfg := fastConfig()
	cfg.Schema = schema
	e, err := bulk.OpenPostgres(ctx, pool, cfg)
	require.NoError(t, err)
	// Opening again migrates nothing and fails nothing.
	e2, err := bulk.OpenPostgres(ctx, pool, cfg)
	require.NoError(t, err)
	require.NoError(t, e2.Close())
	smoke(t, e)
	require.NoError(t, e.Close())
}
