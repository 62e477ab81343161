package main

import (
	"context"
	"fmt"
	"net/http"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"riverqueue.com/riverui"

	"github.com/restrictkit/restrict/bulk"
)

// riverUIPrefix is where River's own UI is served.
const riverUIPrefix = "/river"

// riverUIPolicy is the Content-Security-Policy of River's UI: its
// bundle sets style attributes, so inline styles are allowed there, and
// inline script still is not.
const riverUIPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// riverUI builds River's UI over a Postgres database, on a pool of its
// own (two connections) and a River client that only reads and edits
// jobs: it works none. On SQLite there is none (nil): River's UI would
// need a second connection to a file whose one writer is the engine.
func (a *app) riverUI(ctx context.Context, dsn string) (http.Handler, func(), error) {
	if !bulk.IsPostgresDSN(dsn) {
		return nil, func() {}, nil
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, nil, fmt.Errorf("the River UI: the database %s: %w", bulk.RedactDSN(dsn), err)
	}
	cfg.MaxConns = 2
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("the River UI: the database %s: %w", bulk.RedactDSN(dsn), err)
	}
	client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{Logger: a.riverLogger})
	if err != nil {
		pool.Close()
		return nil, nil, fmt.Errorf("the River UI: %w", err)
	}
	h, err := riverui.NewHandler(&riverui.HandlerOpts{
		Endpoints: riverui.NewEndpoints(client, nil),
		Logger:    a.riverLogger,
		Prefix:    riverUIPrefix,
	})
	if err != nil {
		pool.Close()
		return nil, nil, fmt.Errorf("the River UI: %w", err)
	}
	uictx, cancel := context.WithCancel(ctx)
	if err := h.Start(uictx); err != nil {
		cancel()
		pool.Close()
		return nil, nil, fmt.Errorf("the River UI: %w", err)
	}
	policy := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", riverUIPolicy)
		h.ServeHTTP(w, r)
	})
	return policy, func() { cancel(); pool.Close() }, nil
}
