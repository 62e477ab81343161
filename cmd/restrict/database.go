package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/restrictkit/restrict/bulk"
	"github.com/restrictkit/restrict/internal/fleet"
)

// isPostgres tells a Postgres DSN from a SQLite one, as bulk.Open does.
func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// checkDSN refuses a database the command could never open, before
// anything is sent: a SQLite file in a folder that does not exist or a
// folder itself, or a Postgres DSN that does not parse. A database that
// exists but cannot be reached is another matter (exit 3, not 2).
func checkDSN(dsn string) error {
	if isPostgres(dsn) {
		if _, err := pgxpool.ParseConfig(dsn); err != nil {
			// pgx's message quotes the DSN; say where, not what.
			return usagef("the database %s: not a valid Postgres connection string", bulk.RedactDSN(dsn))
		}
		return nil
	}
	path := sqlitePath(dsn)
	if info, err := os.Stat(path); err == nil && info.IsDir() {
		return usagef("the database %s: %s is a folder, not a SQLite file", dsn, path)
	}
	dir := filepath.Dir(path)
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		return usagef("the database %s: the folder %s does not exist", dsn, dir)
	}
	return nil
}

// sqlitePath is the file a SQLite DSN names, as bulk.Open reads it.
func sqlitePath(dsn string) string {
	p := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "file:")
	p, _, _ = strings.Cut(p, "?")
	return p
}

func (f *engineFlags) open(ctx context.Context, a *app) (*bulk.Engine, string, error) {
	dsn := a.dsn(f.db)
	if f.rescueAfter != 0 && f.rescueAfter <= f.jobTimeout {
		return nil, "", usagef("--rescue-after %s must exceed --job-timeout %s, or a job still being worked could be taken twice", f.rescueAfter, f.jobTimeout)
	}
	if err := checkDSN(dsn); err != nil {
		return nil, "", err
	}
	e, err := bulk.Open(ctx, dsn, bulk.Config{Logger: a.riverLogger, JobTimeout: f.jobTimeout, RescueAfter: f.rescueAfter})
	if err != nil {
		return nil, "", fmt.Errorf("opening the database %s: %w", bulk.RedactDSN(dsn), err)
	}
	return e, dsn, nil
}

// openReader opens the database read-only, for commands that only look:
// nothing is created, and a database that is not there is a usage error
// that says where it was looked for.
func (a *app) openReader(ctx context.Context, db string) (*bulk.Reader, string, error) {
	dsn := a.dsn(db)
	if err := checkDSN(dsn); err != nil {
		return nil, "", err
	}
	r, err := bulk.OpenReader(ctx, dsn, bulk.Config{})
	switch {
	case errors.Is(err, bulk.ErrNoDatabase):
		return nil, "", usagef("no restrict database at %s: run \"restrict run\" first, or give --db (or RESTRICT_DB)", bulk.RedactDSN(dsn))
	case err != nil:
		return nil, "", fmt.Errorf("opening the database %s: %w", bulk.RedactDSN(dsn), err)
	}
	return r, dsn, nil
}

// register gives the engine the providers' clients with their limits.
func register(e *bulk.Engine, clients map[string]fleet.Client, limits map[string]bulk.Limits) error {
	for name, c := range clients {
		if err := e.Register(name, c, limits[name]); err != nil {
			return err
		}
	}
	return nil
}
