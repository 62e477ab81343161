package bulk

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"os"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
)

// Reader reads runs, their progress and outcomes from a bulk database
// without changing it: for a report or a list of runs beside a worker.
type Reader struct {
	read   reader
	closer func()
}

// OpenReader opens the bulk database named by dsn (as Open names them)
// for reading only: it runs no migration, starts no River client and
// never creates anything. A SQLite file is opened read-only (mode=ro), so
// that it can be read while a worker writes it; a SQLite file that does
// not exist, or a database (or Postgres schema, cfg.Schema) without the
// bulk journal, fails with an error matching ErrNoDatabase that names the
// file or the schema. Postgres connections are read-only sessions
// (default_transaction_read_only). Of cfg only Schema is used. No error
// holds a password of dsn.
func OpenReader(ctx context.Context, dsn string, cfg Config) (*Reader, error) {
	if isPostgresDSN(dsn) {
		return openPostgresReader(ctx, dsn, cfg.Schema)
	}
	path, ok := sqlitePath(dsn)
	if !ok {
		return nil, fmt.Errorf("%w: %q is an in-memory database", ErrNoDatabase, dsn)
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s does not exist", ErrNoDatabase, path)
	} else if err != nil {
		return nil, fmt.Errorf("bulk: sqlite: %w", err)
	}
	if m := sqliteMode(dsn); m != "" && m != "ro" {
		return nil, fmt.Errorf("bulk: sqlite: %s: a reader opens the database with mode=ro, not mode=%s", path, m)
	}
	db, err := sql.Open("sqlite", sqliteReadDSN(dsn))
	if err != nil {
		return nil, fmt.Errorf("bulk: sqlite: %s: %w", path, err)
	}
	var n int
	err = db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('restrict_bulk_run', 'restrict_bulk_outcome')`).Scan(&n)
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("bulk: sqlite: %s: %w", path, err)
	}
	if n < 2 {
		_ = db.Close()
		return nil, fmt.Errorf("%w: %s holds no bulk journal", ErrNoDatabase, path)
	}
	return &Reader{read: reader{d: dialect{}, db: db}, closer: func() { _ = db.Close() }}, nil
}

func openPostgresReader(ctx context.Context, dsn, schema string) (*Reader, error) {
	if schema != "" && !nameRE.MatchString(schema) {
		return nil, fmt.Errorf("bulk: schema %q: want lowercase letters, digits and '_'", schema)
	}
	pcfg, err := postgresConfig(dsn)
	if err != nil {
		return nil, err
	}
	if !strings.Contains(dsn, "pool_max_conns") {
		pcfg.MaxConns = 4
	}
	// A reader that cannot write cannot create anything by mistake.
	pcfg.ConnConfig.RuntimeParams["default_transaction_read_only"] = "on"
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return nil, fmt.Errorf("bulk: postgres: %w", err)
	}
	d := dialect{postgres: true}
	run, outcome := "restrict_bulk_run", "restrict_bulk_outcome"
	where := "the search_path"
	if schema != "" {
		d.prefix = pgx.Identifier{schema}.Sanitize() + "."
		run, outcome = pgx.Identifier{schema, run}.Sanitize(), pgx.Identifier{schema, outcome}.Sanitize()
		where = fmt.Sprintf("schema %q", schema)
	}
	var present bool
	err = pool.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL AND to_regclass($2) IS NOT NULL`, run, outcome).Scan(&present)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("bulk: postgres: %w", err)
	}
	if !present {
		pool.Close()
		return nil, fmt.Errorf("%w: no bulk journal in %s of database %q", ErrNoDatabase, where, pcfg.ConnConfig.Database)
	}
	db := stdlib.OpenDBFromPool(pool)
	return &Reader{read: reader{d: d, db: db}, closer: func() { _ = db.Close(); pool.Close() }}, nil
}

// Run returns the recorded run called name, or an error matching
// ErrRunNotFound.
func (r *Reader) Run(ctx context.Context, name string) (*RunInfo, error) {
	return r.read.run(ctx, name)
}

// Runs lists every run in the database, oldest first.
func (r *Reader) Runs(ctx context.Context) ([]RunInfo, error) {
	return r.read.runs(ctx)
}

// Progress counts a run's outcomes per provider, result and state.
func (r *Reader) Progress(ctx context.Context, run string) (*Progress, error) {
	return r.read.progress(ctx, run)
}

// Outcomes streams the journal rows f selects, ordered by subject and
// provider, reading a page at a time.
func (r *Reader) Outcomes(ctx context.Context, f Filter) iter.Seq2[Outcome, error] {
	return r.read.outcomes(ctx, f, 500)
}

// Close releases the database. A second call does nothing.
func (r *Reader) Close() error {
	if r.closer != nil {
		r.closer()
		r.closer = nil
	}
	return nil
}
