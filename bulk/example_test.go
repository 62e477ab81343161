package bulk_test

import (
	"context"
	"fmt"
	"log"
	"maps"
	"os"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"
	"github.com/riverqueue/rivercontrib/otelriver"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/bulk"
	"github.com/restrictkit/restrict/restricttest"
)

// A run that restricts three customers at two providers, worked in this
// process on an SQLite file. Real code registers provider clients
// (cryptomus.New, purse.New, ...) instead of the in-memory fakes.
func Example() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "bulk-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	e, err := bulk.Open(ctx, "file:"+filepath.Join(dir, "restrict.db"), bulk.Config{})
	if err != nil {
		log.Fatal(err)
	}
	defer e.Close()

	// Each provider: its client, how many calls at once, how many a second.
	purse := &restricttest.Fake{Provider: "purse"}
	cryptomus := &restricttest.Fake{Provider: "cryptomus"}
	if err := e.Register("purse", purse, bulk.Limits{Concurrency: 4, Rate: 50}); err != nil {
		log.Fatal(err)
	}
	if err := e.Register("cryptomus", cryptomus, bulk.Limits{Concurrency: 4, Rate: 20}); err != nil {
		log.Fatal(err)
	}

	run := bulk.Run{Name: "fraud-ring-42", Op: restrict.OpRestrict, Reason: "fraud ring 42"}
	sub, err := e.Submit(ctx, run, bulk.Subjects(
		bulk.Subject{Key: "alice", IDs: map[string]string{"purse": "p-1", "cryptomus": "w-1"}},
		bulk.Subject{Key: "bob", IDs: map[string]string{"purse": "p-2"}},
		bulk.Subject{Key: "carol", IDs: map[string]string{"cryptomus": "w-3"}},
	))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("jobs submitted:", sub.Jobs)

	if err := e.Start(ctx); err != nil {
		log.Fatal(err)
	}
	progress, err := e.Wait(ctx, run.Name)
	if err != nil {
		log.Fatal(err)
	}
	if err := e.Stop(ctx); err != nil {
		log.Fatal(err)
	}
	for _, c := range progress.Providers {
		fmt.Printf("%s: %d ok, %d failed of %d\n", c.Provider, c.OK, c.Failed, c.Total)
	}
	for o, err := range e.Outcomes(ctx, bulk.Filter{Run: run.Name, Provider: "purse"}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(o.Subject, o.Provider, o.Target, o.Result, o.State)
	}
	// Output:
	// jobs submitted: 4
	// cryptomus: 2 ok, 0 failed of 2
	// purse: 2 ok, 0 failed of 2
	// alice purse p-1 ok restricted
	// bob purse p-2 ok restricted
}

// A team that already runs River, on its own Postgres pool: bulk's
// migrations run in the team's migration step, the bulk worker joins the
// team's own River client, and a business change and the restriction it
// calls for commit in one transaction. (No Output: it needs a Postgres.)
func ExampleEngine_AddWorkers() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()

	// In the team's migration step; opening then only checks.
	cfg := bulk.Config{SkipMigrations: true}
	if err := bulk.MigratePostgres(ctx, pool, cfg); err != nil {
		log.Fatal(err)
	}
	e, err := bulk.OpenPostgres(ctx, pool, cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer e.Close()
	if err := e.Register("purse", &restricttest.Fake{Provider: "purse"}, bulk.Limits{Rate: 50}); err != nil {
		log.Fatal(err)
	}

	// The database's limits, shared with every other worker, until ctx ends.
	go func() { _ = e.FollowLimits(ctx) }()

	// The team's client: its own workers and queues, and bulk's.
	workers := river.NewWorkers()
	if err := e.AddWorkers(workers); err != nil {
		log.Fatal(err)
	}
	queues := map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 10}}
	maps.Copy(queues, e.Queues())
	client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{
		Queues:               queues,
		Workers:              workers,
		RescueStuckJobsAfter: 2 * time.Minute, // above Config.JobTimeout
		// River's job spans and metrics, on the otel globals.
		Middleware: []rivertype.Middleware{otelriver.NewMiddleware(nil)},
	})
	if err != nil {
		log.Fatal(err)
	}
	if err := client.Start(ctx); err != nil {
		log.Fatal(err)
	}
	defer func() { _ = client.Stop(ctx) }()

	tx, err := pool.Begin(ctx)
	if err != nil {
		log.Fatal(err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if _, err := tx.Exec(ctx, `UPDATE accounts SET frozen = true WHERE id = $1`, "acct-7"); err != nil {
		log.Fatal(err)
	}
	run := bulk.Run{Name: "chargeback-acct-7", Op: restrict.OpRestrict, Reason: "chargeback"}
	if _, err := e.SubmitTx(ctx, tx, run, bulk.Subjects(
		bulk.Subject{Key: "acct-7", IDs: map[string]string{"purse": "p-7"}},
	)); err != nil {
		log.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		log.Fatal(err)
	}
	progress, err := e.Wait(ctx, run.Name)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("restricted:", progress.All.Restricted)
}
