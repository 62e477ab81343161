package bulk_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

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
