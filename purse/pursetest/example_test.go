package pursetest_test

import (
	"context"
	"fmt"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/purse"
	"github.com/restrictkit/restrict/purse/pursetest"
	"github.com/restrictkit/restrict/restricttest"
)

// A test of code that blocks and unblocks Calypso customers: the fake checks
// Key, Sign and the timestamp window, keeps each customer's blocked flag,
// and serves Status from it.
func Example() {
	creds := purse.Credentials{Account: "0x1111111111111111111111111111111111111111", Key: "test-key", Secret: "test-secret"}
	srv := pursetest.NewServer(creds)
	defer srv.Close()
	cust := srv.AddCustomer(purse.Customer{Email: "suspect@example.com"})

	c, err := purse.New(creds, restrict.WithBaseURL(srv.BaseURL()))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	res, _ := c.Restrict(ctx, restrict.Target{ID: cust.ID})
	stored, _ := srv.Customer(cust.ID)
	fmt.Println(res.State, stored.Blocked)

	res, _ = c.Lift(ctx, restrict.Target{ID: cust.ID})
	stored, _ = srv.Customer(cust.ID)
	fmt.Println(res.State, stored.Blocked)

	res, _ = c.Status(ctx, restrict.Target{ID: cust.ID})
	fmt.Println(res.State)
	// Output:
	// restricted true
	// active false
	// active
}

// Faults make the fake misbehave as Calypso or a proxy in front of it
// may: here two 503s, which the client retries through.
func ExampleServer_Inject() {
	creds := purse.Credentials{Account: "0x1111111111111111111111111111111111111111", Key: "test-key", Secret: "test-secret"}
	srv := pursetest.NewServer(creds)
	defer srv.Close()
	cust := srv.AddCustomer(purse.Customer{})
	srv.Inject(restricttest.Fault{Status: 503, Times: 2})

	c, err := purse.New(creds, restrict.WithBaseURL(srv.BaseURL()), restrict.WithRetry(restrict.RetryPolicy{MaxAttempts: 3}))
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := c.Restrict(context.Background(), restrict.Target{ID: cust.ID})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.State, res.Attempts, srv.Requests())
	// Output: restricted 3 3
}
