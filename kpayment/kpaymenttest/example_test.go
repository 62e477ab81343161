package kpaymenttest_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/kpayment"
	"github.com/restrictkit/restrict/kpayment/kpaymenttest"
)

// A test of code that blocks myKaarma customers: the fake checks the Basic
// credentials, records the block, and can answer with myKaarma's error codes.
func Example() {
	creds := kpayment.Credentials{Username: "service-subscriber", Password: "test-password"}
	srv := kpaymenttest.NewServer(creds)
	defer srv.Close()

	c, _ := kpayment.New(creds, restrict.WithBaseURL(srv.BaseURL()))
	ctx := context.Background()
	const customer = "0e4b8c4c-7d3f-4b8e-9d7a-3f0c5b9e2a11"
	_, err := c.Restrict(ctx, restrict.Target{ID: customer})
	fmt.Println(err, srv.Blocked(customer))

	srv.Reject(403, kpaymenttest.CodeAccessForbidden)
	_, err = c.Restrict(ctx, restrict.Target{ID: customer})
	fmt.Println(errors.Is(err, restrict.ErrForbidden))
	// Output:
	// <nil> true
	// true
}
