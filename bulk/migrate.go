package bulk

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
)

// ErrNotMigrated is matched by the error of opening, with
// Config.SkipMigrations, a database that lacks River's migrations or the
// journal's tables; the error names what is missing.
var ErrNotMigrated = errors.New("bulk: database not migrated")

// RiverSchemaVersion is the version of River's schema (River's "main"
// migration line) that bulk needs: the latest migration of the River
// module bulk is built with, as River's rivermigrate knows it. River's
// client of that module reads and writes the tables of that version, so
// every migration up to it must be applied.
func RiverSchemaVersion() int {
	m, err := rivermigrate.New(riverpgxv5.New(nil), &rivermigrate.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		panic(err) // only an unknown migration line fails, and "main" is River's own
	}
	all := m.AllVersions()
	return all[len(all)-1].Version
}

// MigratePostgres runs River's migrations and the journal's on pool, in
// Config.Schema (created if missing), for a caller that opens with
// Config.SkipMigrations and migrates in its own step. It is idempotent and
// safe to run from several processes at once; River's migrations already
// applied by other tooling are left as they are. The caller keeps pool.
func MigratePostgres(ctx context.Context, pool *pgxpool.Pool, cfg Config) error {
	if err := checkSchema(cfg.Schema); err != nil {
		return err
	}
	cfg = cfg.withDefaults()
	cfg.SkipMigrations = false
	s, err := newPostgresStore(pool, cfg)
	if err != nil {
		return err
	}
	defer func() { s.close(); _ = s.db.Close() }()
	if err := s.migrate(ctx, cfg); err != nil {
		return fmt.Errorf("bulk: migrate: %w", err)
	}
	return nil
}

// MigrateSQLite runs River's migrations and the journal's on db, opened
// as OpenSQLite wants it, for a caller that opens with
// Config.SkipMigrations and migrates in its own step. It is idempotent.
// The caller keeps db.
func MigrateSQLite(ctx context.Context, db *sql.DB, cfg Config) error {
	cfg = cfg.withDefaults()
	cfg.SkipMigrations = false
	s, err := newSQLiteStore(db, cfg)
	if err != nil {
		return err
	}
	defer s.close()
	if err := s.migrate(ctx, cfg); err != nil {
		return fmt.Errorf("bulk: migrate: %w", err)
	}
	return nil
}

// createTable finds a table of journalSchema and its first column.
var createTable = regexp.MustCompile(`^CREATE TABLE IF NOT EXISTS \{p\}(\w+) \(\s*(\w+)`)

// journalColumns are the (table, column) pairs the check of
// SkipMigrations looks for: every table of journalSchema, through its first
// column, and the columns that later versions added to a table
// (migrateJournal).
func journalColumns() [][2]string {
	var out [][2]string
	for _, q := range journalSchema("") {
		if m := createTable.FindStringSubmatch(q); m != nil {
			out = append(out, [2]string{m[1], m[2]})
		}
	}
	for _, c := range addedColumns {
		out = append(out, [2]string{c.table, c.column})
	}
	return out
}

// checkMigrated is the migration step of an engine opened with
// Config.SkipMigrations: it changes nothing, and fails with
// ErrNotMigrated naming the River migrations and the journal's tables or
// columns that are missing. columns lists the (table, column) pairs of
// the journal's tables that the database has; where names the schema or
// file for the error.
func (r *riverDB[TTx, TDriver]) checkMigrated(ctx context.Context, cfg Config, where string,
	columns func(ctx context.Context, t execer) (map[[2]string]bool, error),
) error {
	m, err := rivermigrate.New[TTx](r.driver, &rivermigrate.Config{Logger: cfg.Logger, Schema: cfg.Schema, Line: riverdriver.MigrationLineMain})
	if err != nil {
		return fmt.Errorf("river: %w", err)
	}
	applied, err := m.ExistingVersions(ctx)
	if err != nil {
		return fmt.Errorf("river: %w", err)
	}
	var missing []string
	var versions []int
	for _, v := range m.AllVersions() {
		if !slices.ContainsFunc(applied, func(a rivermigrate.Migration) bool { return a.Version == v.Version }) {
			versions = append(versions, v.Version)
		}
	}
	if len(versions) > 0 {
		missing = append(missing, fmt.Sprintf("River's migrations %v (bulk needs River's schema at version %d)", versions, RiverSchemaVersion()))
	}
	var have map[[2]string]bool
	if err := r.inTx(ctx, func(t execer) error {
		var err error
		have, err = columns(ctx, t)
		return err
	}); err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	tables := make(map[string]bool)
	for k := range have {
		tables[k[0]] = true
	}
	for _, c := range journalColumns() {
		switch {
		case !tables[c[0]]:
			if !slices.Contains(missing, "table "+c[0]) {
				missing = append(missing, "table "+c[0])
			}
		case !have[c]:
			missing = append(missing, "column "+c[0]+"."+c[1])
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %s lacks %s; with Config.SkipMigrations, run MigratePostgres or MigrateSQLite first",
		ErrNotMigrated, where, strings.Join(missing, ", "))
}
