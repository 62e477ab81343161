package bulk_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict/bulk"
)

var quiet = &rivermigrate.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}

// The River schema version bulk needs, as River's rivermigrate says for
// the River module in go.mod: the doc of bulk (doc.go, ARCHITECTURE.md)
// names it, so a River upgrade that adds a migration fails here until the
// docs say the new one. SQLite's migration line has the same versions.
func TestRiverSchemaVersion(t *testing.T) {
	require.Equal(t, 8, bulk.RiverSchemaVersion())
	m, err := rivermigrate.New(riversqlite.New(nil), quiet)
	require.NoError(t, err)
	all := m.AllVersions()
	require.Equal(t, bulk.RiverSchemaVersion(), all[len(all)-1].Version)
}

// With SkipMigrations, opening an empty schema fails, naming every River
// migration and journal table missing, and creates nothing; once the
// caller has migrated (River by River's own tooling, the journal by
// MigratePostgres), it opens and works.
func TestSkipMigrationsPostgres(t *testing.T) {
	ctx := context.Background()
	pool, cfg := ownPostgresPool(t, fastConfig())
	schema := cfg.Schema
	cfg.SkipMigrations = true
	tables := func() int {
		var n int
		require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM information_schema.tables WHERE table_schema = $1`, schema).Scan(&n))
		return n
	}

	_, err := bulk.OpenPostgres(ctx, pool, cfg)
	require.ErrorIs(t, err, bulk.ErrNotMigrated)
	require.ErrorContains(t, err, `schema "`+schema+`" lacks River's migrations [1 2 3 4 5 6 7 8] (bulk needs River's schema at version 8), table restrict_bulk_run, table restrict_bulk_outcome, table restrict_bulk_webhook_event, table restrict_bulk_webhook_target, table restrict_bulk_limit, table restrict_bulk_limit_holder`)
	require.Zero(t, tables(), "nothing is created")

	// River migrated by the team's own tooling: only the journal is missing.
	m, err := rivermigrate.New(riverpgxv5.New(pool), &rivermigrate.Config{Logger: quiet.Logger, Schema: schema})
	require.NoError(t, err)
	_, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	require.NoError(t, err)
	_, err = bulk.OpenPostgres(ctx, pool, cfg)
	require.ErrorIs(t, err, bulk.ErrNotMigrated)
	require.ErrorContains(t, err, "lacks table restrict_bulk_run, table restrict_bulk_outcome, table restrict_bulk_webhook_event, table restrict_bulk_webhook_target, table restrict_bulk_limit, table restrict_bulk_limit_holder;")
	require.NotContains(t, err.Error(), "River's migrations")

	require.NoError(t, bulk.MigratePostgres(ctx, pool, cfg))
	require.NoError(t, bulk.MigratePostgres(ctx, pool, cfg), "idempotent")
	e, err := bulk.OpenPostgres(ctx, pool, cfg)
	require.NoError(t, err)
	smoke(t, e)
	require.NoError(t, e.Close())

	// A journal of before http_attempts_known, or River one migration
	// short, is named too.
	_, err = pool.Exec(ctx, `ALTER TABLE `+pgx.Identifier{schema, "restrict_bulk_outcome"}.Sanitize()+` DROP COLUMN http_attempts_known`)
	require.NoError(t, err)
	_, err = m.Migrate(ctx, rivermigrate.DirectionDown, &rivermigrate.MigrateOpts{MaxSteps: 1})
	require.NoError(t, err)
	_, err = bulk.OpenPostgres(ctx, pool, cfg)
	require.ErrorIs(t, err, bulk.ErrNotMigrated)
	require.ErrorContains(t, err, "lacks River's migrations [8] (bulk needs River's schema at version 8), column restrict_bulk_outcome.http_attempts_known;")
}

func TestSkipMigrationsSQLite(t *testing.T) {
	ctx := context.Background()
	db := ownSQLiteDB(t)
	cfg := fastConfig()
	cfg.SkipMigrations = true
	_, err := bulk.OpenSQLite(ctx, db, cfg)
	require.ErrorIs(t, err, bulk.ErrNotMigrated)
	require.ErrorContains(t, err, "the SQLite database lacks River's migrations [1 2 3 4 5 6 7 8] (bulk needs River's schema at version 8), table restrict_bulk_run, table restrict_bulk_outcome, table restrict_bulk_webhook_event, table restrict_bulk_webhook_target, table restrict_bulk_limit, table restrict_bulk_limit_holder")
	var n int
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM sqlite_master`).Scan(&n))
	require.Zero(t, n, "nothing is created")

	require.NoError(t, bulk.MigrateSQLite(ctx, db, cfg))
	e, err := bulk.OpenSQLite(ctx, db, cfg)
	require.NoError(t, err)
	smoke(t, e)
	require.NoError(t, e.Close())
}
