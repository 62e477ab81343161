package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/restrictkit/restrict/bulk"
	"github.com/restrictkit/restrict/internal/fleet"
)

// checkDSN refuses a database the command could never open, before
// anything is sent (bulk.CheckDSN's rule). A database that exists but
// cannot be reached is another matter: exit 3, not 2.
func checkDSN(dsn string) error {
	if err := bulk.CheckDSN(dsn); err != nil {
		return usagef("the database %s: %v", bulk.RedactDSN(dsn), strings.TrimPrefix(err.Error(), bulk.ErrBadDSN.Error()+": "))
	}
	return nil
}

// open opens the engine, recording its metrics and spans on tel's
// providers.
func (f *engineFlags) open(ctx context.Context, a *app, tel *telemetry) (*bulk.Engine, string, error) {
	dsn := a.dsn(f.db)
	if f.rescueAfter != 0 && f.rescueAfter <= f.jobTimeout {
		return nil, "", usagef("--rescue-after %s must exceed --job-timeout %s, or a job still being worked could be taken twice", f.rescueAfter, f.jobTimeout)
	}
	if err := checkDSN(dsn); err != nil {
		return nil, "", err
	}
	e, err := bulk.Open(ctx, dsn, bulk.Config{Logger: a.riverLogger, JobTimeout: f.jobTimeout, RescueAfter: f.rescueAfter,
		MeterProvider: tel.meterProvider(), TracerProvider: tel.tracerProvider()})
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
