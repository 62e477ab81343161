package bulk

import (
	"context"
	"iter"
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
	d := databaseOf(dsn)
	if err := d.check(dsn); err != nil {
		return nil, err
	}
	return d.openReader(ctx, dsn, cfg)
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
	return r.read.outcomes(ctx, f, pageRows)
}

// Close releases the database. A second call does nothing.
func (r *Reader) Close() error {
	if r.closer != nil {
		r.closer()
		r.closer = nil
	}
	return nil
}
