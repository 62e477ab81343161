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
// credentials, keeps which customers are blocked, and can answer with
// myKaarma's error codes.
func Example() {
	creds := kpayment.Credentials{Username: "service-subscriber", Password: "test-password"}
	srv := kpaymenttest.NewServer(creds)
	defer srv.Close()

	c, _ := kpayment.New(creds, restrict.WithBaseURL(srv.BaseURL()))
	ctx := context.Background()
	customer := srv.AddCustomer(kpaymenttest.Customer{}).UUID
	fmt.Println(srv.Blocked(customer))
	_, err := c.Restrict(ctx, restrict.Target{ID: customer})
	fmt.Println(err, srv.Blocked(customer))

	srv.Reject(403, kpaymenttest.CodeAccessForbidden)
	_, err = c.Restrict(ctx, restrict.Target{ID: customer})
	fmt.Println(errors.Is(err, restrict.ErrForbidden))
	// Output:
	// false
	// <nil> true
	// true
}
