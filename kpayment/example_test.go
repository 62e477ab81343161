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

// Block a customer from online payment, and keep myKaarma's warnings.
func ExampleClient_BlockCustomer() {
	creds := kpayment.Credentials{Username: "subscriber", Password: "s3cret"}
	srv := kpaymenttest.NewServer(creds) // a fake myKaarma; omit WithBaseURL for the real one
	defer srv.Close()
	srv.SetWarnings(kpaymenttest.Warning{Code: kpaymenttest.CodeNoPreferredDealer, Description: "no preferred dealer"})

	c, err := kpayment.New(creds, restrict.WithBaseURL(srv.BaseURL()))
	if err != nil {
		log.Fatal(err)
	}
	res, err := c.BlockCustomer(context.Background(), "4f1c0b7e-2a9d-4c1e-9a52-0d6e8b3f7a11", kpayment.BlockCustomerRequest{
		InvoiceGUID:           "inv-1001",
		CCLastFour:            "4242",
		OnlinePayment:         kpayment.Bool(true),
		SendBlockNotification: kpayment.Bool(false),
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

// Restrict through the provider-neutral interface; Lift is not offered by
// myKaarma.
func ExampleClient_Restrict() {
	srv := kpaymenttest.NewServer(kpayment.Credentials{Token: "oauth-access-token"})
	defer srv.Close()

	var r restrict.Restrictor
	r, err := kpayment.New(kpayment.Credentials{Token: "oauth-access-token"},
		restrict.WithBaseURL(srv.BaseURL()),
		kpayment.WithRestrictRequest(kpayment.BlockCustomerRequest{SendBlockNotification: kpayment.Bool(true)}))
	if err != nil {
		log.Fatal(err)
	}
	res, err := r.Restrict(context.Background(), restrict.Target{ID: "4f1c0b7e", Reason: "chargeback"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Provider, res.Action, res.TargetID, res.State)
	b, _ := srv.LastBlock("4f1c0b7e")
	fmt.Println("onlinePayment:", *b.OnlinePayment, "sendBlockNotification:", *b.SendBlockNotification)

	_, err = r.Lift(context.Background(), restrict.Target{ID: "4f1c0b7e"})
	fmt.Println("lift unsupported:", errors.Is(err, restrict.ErrUnsupported))
	// Output:
	// kpayment block 4f1c0b7e restricted
	// onlinePayment: true sendBlockNotification: true
	// lift unsupported: true
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
	_, err = c.BlockCustomer(context.Background(), "4f1c0b7e", kpayment.BlockCustomerRequest{})
	var ae *restrict.APIError
	if errors.As(err, &ae) {
		fmt.Println(errors.Is(err, restrict.ErrUnauthorized), ae.StatusCode, ae.Code)
	}
	// Output:
	// true 401 100003
}
