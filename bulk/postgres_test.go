package bulk_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict/bulk"
	"github.com/restrictkit/restrict/internal/testkit"
)

// postgresURL is the test database's URL, or a skip saying how to run
// the test (CI always sets it).
func postgresURL(t testing.TB) string { return testkit.PostgresURL(t) }

// testSchema creates a schema of the test's own, dropped at the end, so that
// Postgres tests run in parallel and can be re-run.
func testSchema(t testing.TB) (url, schema string) { return testkit.PostgresSchema(t, "bulk_test_") }

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
