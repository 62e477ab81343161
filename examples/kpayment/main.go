// Command kpayment walks through the myKaarma Payments client's native API
// against an in-process fake of myKaarma: block a customer's card from
// online payment, read the warnings myKaarma adds to a success, ride out a
// brief outage, tell the classes of error apart, and restrict through the
// provider-neutral interface, where Lift and Status are unsupported.
//
//	go run ./examples/kpayment      # -v logs every HTTP attempt to stderr
//
// It needs no account and never calls the real myKaarma: a block cannot be
// undone through its API. To block a real customer, use the quickstart with
// the RESTRICT_KPAYMENT_* variables.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/examples/internal/example"
	"github.com/restrictkit/restrict/kpayment"
	"github.com/restrictkit/restrict/kpayment/kpaymenttest"
	"github.com/restrictkit/restrict/restricttest"
)

// password is the fake subscriber's password. It is a secret to the program
// all the same: it is never printed.
const password = "example-kpayment-password"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	return example.Run("kpayment", args, stdout, stderr, walkthrough)
}

func walkthrough(ctx context.Context, logger *slog.Logger, out io.Writer) error {
	creds := kpayment.Credentials{Username: "dealer-subscriber", Password: password}
	srv := kpaymenttest.NewServer(creds)
	defer srv.Close()
	// myKaarma's customers come from the dealership system, and the
	// Payments API has no call to create one: the fake is given one.
	customerUUID := srv.AddCustomer(kpaymenttest.Customer{}).UUID

	// In production leave out WithBaseURL: the client defaults to
	// https://api.mykaarma.com/payment. The fake's BaseURL includes the
	// /payment base path, as a custom base URL must. The short retry waits
	// keep the outage below quick; the defaults wait 200 ms to 5 s.
	c, err := kpayment.New(creds,
		restrict.WithBaseURL(srv.BaseURL()),
		restrict.WithLogger(logger),
		restrict.WithRetry(restrict.RetryPolicy{MaxAttempts: 3, MinWait: 10 * time.Millisecond, MaxWait: 100 * time.Millisecond}))
	if err != nil {
		return err
	}

	// 1. Block the customer's card from online payment. myKaarma may add
	// warnings to a success; BlockCustomer returns them.
	srv.SetWarnings(kpaymenttest.Warning{Code: kpaymenttest.CodeNoPreferredDealer, Description: "the customer has no preferred dealer"})
	res, err := c.BlockCustomer(ctx, customerUUID, kpayment.BlockCustomerRequest{
		InvoiceGUID:           "inv-1001",
		CCLastFour:            "4242",
		CCType:                "VISA",
		CardHolder:            "Alex Smith",
		OnlinePayment:         restrict.Ptr(true),
		SendBlockNotification: restrict.Ptr(false), // sent as false, not left out
	})
	if err != nil {
		return fmt.Errorf("BlockCustomer: %w", err)
	}
	fmt.Fprintf(out, "BlockCustomer: HTTP %d, %d attempt(s)\n", res.StatusCode, res.Attempts)
	for _, w := range res.Warnings {
		fmt.Fprintf(out, "  warning %s %s: %s\n", w.Code, w.Title, w.Description)
	}
	srv.SetWarnings()
	got, _ := srv.LastBlock(customerUUID)
	fmt.Fprintf(out, "myKaarma received: card *%s %s of %s, onlinePayment=%t sendBlockNotification=%t\n",
		got.CCLastFour, got.CCType, got.CardHolder, *got.OnlinePayment, *got.SendBlockNotification)

	// 2. A brief outage: the block is idempotent, so it is retried.
	srv.Inject(restricttest.Fault{Status: http.StatusServiceUnavailable, Times: 2})
	res, err = c.BlockCustomer(ctx, customerUUID, kpayment.BlockCustomerRequest{OnlinePayment: restrict.Ptr(true)})
	if err != nil {
		return fmt.Errorf("BlockCustomer through an outage: %w", err)
	}
	fmt.Fprintf(out, "through two 503s: HTTP %d after %d attempts\n", res.StatusCode, res.Attempts)

	// 3. The classes of error. Each matches one restrict sentinel with
	// errors.Is; APIError keeps myKaarma's own code.
	var ae *restrict.APIError

	_, err = c.BlockCustomer(ctx, customerUUID, kpayment.BlockCustomerRequest{CCLastFour: "42"})
	if !errors.As(err, &ae) || !errors.Is(err, restrict.ErrInvalidRequest) {
		return fmt.Errorf("bad card digits: got %v, want an error matching ErrInvalidRequest", err)
	}
	fmt.Fprintf(out, "ErrInvalidRequest, refused before sending (%d attempts): %v\n", ae.Attempts, err)

	srv.Reject(http.StatusForbidden, kpaymenttest.CodeAccessForbidden)
	_, err = c.BlockCustomer(ctx, customerUUID, kpayment.BlockCustomerRequest{OnlinePayment: restrict.Ptr(true)})
	if !errors.As(err, &ae) || !errors.Is(err, restrict.ErrForbidden) {
		return fmt.Errorf("rejected scope: got %v, want an error matching ErrForbidden", err)
	}
	fmt.Fprintf(out, "ErrForbidden, HTTP %d, code %s: %v\n", ae.StatusCode, ae.Code, err)

	// The other endpoints' error shape names the code; both are read.
	srv.SetErrorShape(kpaymenttest.ShapeErrorName)
	wrong, err := kpayment.New(kpayment.Credentials{Username: "dealer-subscriber", Password: "not-the-password"},
		restrict.WithBaseURL(srv.BaseURL()), restrict.WithLogger(logger))
	if err != nil {
		return err
	}
	_, err = wrong.BlockCustomer(ctx, customerUUID, kpayment.BlockCustomerRequest{OnlinePayment: restrict.Ptr(true)})
	if !errors.As(err, &ae) || !errors.Is(err, restrict.ErrUnauthorized) {
		return fmt.Errorf("wrong password: got %v, want an error matching ErrUnauthorized", err)
	}
	fmt.Fprintf(out, "ErrUnauthorized, HTTP %d, code %s, retryable %t: %v\n", ae.StatusCode, ae.Code, ae.Retryable(), err)
	srv.SetErrorShape(kpaymenttest.ShapeErrors)

	srv.Inject(restricttest.Fault{Status: http.StatusServiceUnavailable})
	_, err = c.BlockCustomer(ctx, customerUUID, kpayment.BlockCustomerRequest{OnlinePayment: restrict.Ptr(true)})
	srv.Clear()
	if !errors.As(err, &ae) || !errors.Is(err, restrict.ErrUnavailable) {
		return fmt.Errorf("lasting outage: got %v, want an error matching ErrUnavailable", err)
	}
	fmt.Fprintf(out, "ErrUnavailable, retryable %t: %v\n", ae.Retryable(), err)

	// 4. Through the provider-neutral interface, with a chosen body.
	r, err := kpayment.New(creds, restrict.WithBaseURL(srv.BaseURL()), restrict.WithLogger(logger),
		kpayment.WithRestrictRequest(kpayment.BlockCustomerRequest{SendBlockNotification: restrict.Ptr(true)}))
	if err != nil {
		return err
	}
	result, err := r.Restrict(ctx, restrict.Target{ID: customerUUID, Reason: "chargeback"})
	if err != nil {
		return fmt.Errorf("restrict through the interface: %w", err)
	}
	fmt.Fprintf(out, "Restrictor: %s %s -> %s\n", result.Provider, result.Action, result.State)
	_, err = r.Lift(ctx, restrict.Target{ID: customerUUID})
	fmt.Fprintf(out, "Lift unsupported: %t\n", errors.Is(err, restrict.ErrUnsupported))
	// myKaarma has no call that reads a block back; the fake's own state
	// shows it held.
	_, err = r.Status(ctx, restrict.Target{ID: customerUUID})
	fmt.Fprintf(out, "Status unsupported: %t; the fake holds the customer blocked: %t\n", errors.Is(err, restrict.ErrUnsupported), srv.Blocked(customerUUID))

	// Restrict takes a customer UUID only, and says so before sending.
	_, err = r.Restrict(ctx, restrict.Target{ID: "customer-17"})
	fmt.Fprintf(out, "Restrict of a non-UUID, refused before sending: %v\n", err)
	return nil
}
