package kpayment_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/kpayment"
	"github.com/restrictkit/restrict/kpayment/kpaymenttest"
)

// A client for ServiceSubscriber credentials, sent as HTTP Basic. Against
// the real API leave out WithBaseURL: the default is DefaultBaseURL.
func ExampleNew() {
	creds := kpayment.Credentials{Username: "subscriber", Password: "s3cret"}
	srv := kpaymenttest.NewServer(creds) // a fake myKaarma
	defer srv.Close()

	c, err := kpayment.New(creds, restrict.WithBaseURL(srv.BaseURL()))
	if err != nil {
		log.Fatal(err)
	}
	cust := srv.AddCustomer(kpaymenttest.Customer{})
	res, err := c.Restrict(context.Background(), restrict.Target{ID: cust.UUID})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.State, srv.Blocked(cust.UUID))

	// Credentials that cannot work are refused before any call, naming the
	// field at fault.
	_, err = kpayment.New(kpayment.Credentials{Username: "subscriber", Token: "oauth-access-token"})
	fmt.Println(errors.Is(err, restrict.ErrInvalidRequest))
	// Output:
	// restricted true
	// true
}

// Block a customer from online payment, and keep myKaarma's warnings.
func ExampleClient_BlockCustomer() {
	creds := kpayment.Credentials{Username: "subscriber", Password: "s3cret"}
	srv := kpaymenttest.NewServer(creds)
	defer srv.Close()
	srv.SetWarnings(kpaymenttest.Warning{Code: kpaymenttest.CodeNoPreferredDealer, Description: "no preferred dealer"})

	c, err := kpayment.New(creds, restrict.WithBaseURL(srv.BaseURL()))
	if err != nil {
		log.Fatal(err)
	}
	res, err := c.BlockCustomer(context.Background(), "4f1c0b7e-2a9d-4c1e-9a52-0d6e8b3f7a11", kpayment.BlockCustomerRequest{
		InvoiceGUID:           "inv-1001",
		CCLastFour:            "4242",
		OnlinePayment:         restrict.Ptr(true),
		SendBlockNotification: restrict.Ptr(false), // sent as false, not left out
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("status:", res.StatusCode)
	for _, w := range res.Warnings {
		fmt.Println("warning:", w.Code, w.Title)
	}
	// Output:
	// status: 200
	// warning: 150000 NO_PREFERRED_DEALER_ID
}

// Restrict through the provider-neutral interface, with the body it sends
// chosen once in New. A repeated Restrict succeeds as the first.
func ExampleClient_Restrict() {
	creds := kpayment.Credentials{Token: "oauth-access-token"}
	srv := kpaymenttest.NewServer(creds)
	defer srv.Close()
	cust := srv.AddCustomer(kpaymenttest.Customer{UUID: "4f1c0b7e-2a9d-4c1e-9a52-0d6e8b3f7a11"})

	var r restrict.Restrictor
	r, err := kpayment.New(creds,
		restrict.WithBaseURL(srv.BaseURL()),
		kpayment.WithRestrictRequest(kpayment.BlockCustomerRequest{SendBlockNotification: restrict.Ptr(true)}))
	if err != nil {
		log.Fatal(err)
	}
	for range 2 {
		res, err := r.Restrict(context.Background(), restrict.Target{ID: cust.UUID, Reason: "chargeback"})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(res.Provider, res.Action, res.State)
	}
	b, _ := srv.LastBlock(cust.UUID)
	fmt.Println("onlinePayment:", *b.OnlinePayment, "sendBlockNotification:", *b.SendBlockNotification)

	_, err = r.Lift(context.Background(), restrict.Target{ID: cust.UUID})
	fmt.Println("lift unsupported:", errors.Is(err, restrict.ErrUnsupported))
	// Output:
	// kpayment block restricted
	// kpayment block restricted
	// onlinePayment: true sendBlockNotification: true
	// lift unsupported: true
}

// myKaarma has no call that reads a block back: Status is unsupported and
// sends nothing.
func ExampleClient_Status() {
	creds := kpayment.Credentials{Username: "subscriber", Password: "s3cret"}
	srv := kpaymenttest.NewServer(creds)
	defer srv.Close()

	c, err := kpayment.New(creds, restrict.WithBaseURL(srv.BaseURL()))
	if err != nil {
		log.Fatal(err)
	}
	_, err = c.Status(context.Background(), restrict.Target{ID: "4f1c0b7e-2a9d-4c1e-9a52-0d6e8b3f7a11"})
	fmt.Println(restrict.ClassName(err), srv.Requests())
	// Output:
	// unsupported 0
}

// Check a subjects file's IDs with the rule Restrict applies.
func ExampleCheckTargetID() {
	for _, id := range []string{"4f1c0b7e-2a9d-4c1e-9a52-0d6e8b3f7a11", "customer-17"} {
		fmt.Println(id, kpayment.CheckTargetID(id))
	}
	// Output:
	// 4f1c0b7e-2a9d-4c1e-9a52-0d6e8b3f7a11 <nil>
	// customer-17 restrict: kpayment CheckTargetID: invalid request: ID must be a UUID (8-4-4-4-12 hexadecimal digits)
}

// Provider errors match the restrict sentinels and keep myKaarma's code.
func Example_errors() {
	srv := kpaymenttest.NewServer(kpayment.Credentials{Username: "subscriber", Password: "s3cret"})
	defer srv.Close()

	c, err := kpayment.New(kpayment.Credentials{Username: "subscriber", Password: "wrong"},
		restrict.WithBaseURL(srv.BaseURL()))
	if err != nil {
		log.Fatal(err)
	}
	_, err = c.BlockCustomer(context.Background(), "4f1c0b7e-2a9d-4c1e-9a52-0d6e8b3f7a11", kpayment.BlockCustomerRequest{})
	var ae *restrict.APIError
	if errors.As(err, &ae) {
		fmt.Println(errors.Is(err, restrict.ErrUnauthorized), ae.StatusCode, ae.Code)
	}
	// Output:
	// true 401 100003
}
