package pursetest_test

import (
	"context"
	"fmt"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/purse"
	"github.com/restrictkit/restrict/purse/pursetest"
)

// A test of code that blocks and unblocks Calypso customers: the fake checks
// Key, Sign and the timestamp window, and keeps each customer's blocked flag.
func Example() {
	creds := pursetest.Credentials{Account: "0x1111111111111111111111111111111111111111", Key: "test-key", Secret: "test-secret"}
	srv := pursetest.NewServer(creds)
	defer srv.Close()
	cust := srv.AddCustomer(purse.Customer{Email: "suspect@example.com"})

	c, _ := purse.New(purse.Credentials{Account: creds.Account, Key: restrict.Secret(creds.Key), Secret: restrict.Secret(creds.Secret)},
		restrict.WithBaseURL(srv.URL))
	ctx := context.Background()
	res, _ := c.Restrict(ctx, restrict.Target{ID: cust.ID})
	stored, _ := srv.Customer(cust.ID)
	fmt.Println(res.State, stored.Blocked)

	res, _ = c.Lift(ctx, restrict.Target{ID: cust.ID})
	stored, _ = srv.Customer(cust.ID)
	fmt.Println(res.State, stored.Blocked)
	// Output:
	// restricted true
	// active false
}
