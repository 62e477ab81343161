// Command customerv2 walks through the KunaCore customer API v2 client's
// native API against an in-process fake of KunaCore: log in as a merchant
// user, create a customer, find it, suspend it, read its details and its
// state, and see how refusals read.
//
//	go run ./examples/customerv2      # -v logs every HTTP attempt to stderr
//
// It needs no account and never calls a real KunaCore: it creates and
// suspends a customer, and suspension cannot be undone. To suspend a real
// customer, use the quickstart with the RESTRICT_CUSTOMERV2_* variables.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/customerv2"
	"github.com/restrictkit/restrict/customerv2/customerv2test"
	"github.com/restrictkit/restrict/examples/internal/example"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	return example.Run("customerv2", args, stdout, stderr, walkthrough)
}

func walkthrough(ctx context.Context, logger *slog.Logger, out io.Writer) error {
	// Logging in with the merchant user's email and password, the client
	// fetches a JWT once and renews it before it expires;
	// Credentials{APIKey: ...} is the other way in. The fake accepts
	// exactly the credentials it is given.
	creds := customerv2.Credentials{
		MerchantID: customerv2test.MerchantID,
		Email:      customerv2test.Email,
		Password:   customerv2test.Password,
	}
	srv := customerv2test.NewServer(creds)
	defer srv.Close()

	// KunaCore publishes no host, so WithBaseURL is always needed: here the
	// fake's, in production your KunaCore instance's.
	c, err := customerv2.New(creds, restrict.WithBaseURL(srv.BaseURL()), restrict.WithLogger(logger))
	if err != nil {
		return err
	}

	// 1. A customer and its wallet. Every field here is required, and the
	// email is KunaCore's primary key for customers.
	req := customerv2.CreateCustomerRequest{
		Email:                  "alex@example.com",
		FirstName:              "Alex",
		LastName:               "Smith",
		Country:                "UA",
		VerificationDocumentID: "passport-FX123456",
		ResidenceAddress:       "Kyiv, Khreshchatyk St 1",
		ExternalID:             "user-1001",
	}
	created, err := c.CreateCustomer(ctx, req)
	if err != nil {
		return fmt.Errorf("CreateCustomer: %w", err)
	}
	fmt.Fprintf(out, "created customer %s with wallet %s, status %s\n", created.ID, created.WalletID, created.Status)

	_, err = c.CreateCustomer(ctx, req)
	if !errors.Is(err, restrict.ErrConflict) {
		return fmt.Errorf("duplicate create: got %v, want an error matching ErrConflict", err)
	}
	fmt.Fprintf(out, "duplicate email refused (ErrConflict): %v\n", err)

	// The fields KunaCore requires are checked before anything is sent,
	// and every one missing is named at once.
	_, err = c.CreateCustomer(ctx, customerv2.CreateCustomerRequest{Email: "incomplete@example.com"})
	fmt.Fprintf(out, "incomplete create refused (ErrInvalidRequest %t): %v\n", errors.Is(err, restrict.ErrInvalidRequest), err)

	// 2. Find it again by our own ID, as after a lost answer.
	found, err := c.FindCustomers(ctx, customerv2.FindCustomersRequest{ExternalID: "user-1001", Take: 10})
	if err != nil {
		return fmt.Errorf("FindCustomers: %w", err)
	}
	for _, cu := range found.Customers {
		fmt.Fprintf(out, "found %s %s %s <%s>\n", cu.ID, cu.FirstName, cu.LastName, cu.Email)
	}

	// 3. Suspend: no financial or non-financial action is possible for the
	// customer afterwards, and KunaCore documents no way back.
	susp, err := c.Suspend(ctx, customerv2.SuspendRequest{ID: created.ID})
	if err != nil {
		return fmt.Errorf("suspending: %w", err)
	}
	fmt.Fprintf(out, "Suspend: success %t (HTTP %d, %d attempt(s))\n", susp.Success, susp.StatusCode, susp.Attempts)

	details, err := c.CustomerDetails(ctx, customerv2.CustomerDetailsRequest{ID: created.ID})
	if err != nil {
		return fmt.Errorf("CustomerDetails: %w", err)
	}
	fmt.Fprintf(out, "CustomerDetails: %s %s, status %s, suspended %t\n", details.FirstName, details.LastName, details.Status, details.Suspended())

	// 4. Refusals match the restrict sentinels and keep KunaCore's words.
	_, err = c.CustomerDetails(ctx, customerv2.CustomerDetailsRequest{ID: "00000000-0000-4000-8000-000000000000"})
	if !errors.Is(err, restrict.ErrNotFound) {
		return fmt.Errorf("details of an unknown ID: got %v, want an error matching ErrNotFound", err)
	}
	fmt.Fprintf(out, "unknown customer (ErrNotFound): %v\n", err)

	// 5. The same client through the provider-neutral interface. The
	// customer is suspended already, which Restrict takes as success.
	var r interface {
		restrict.Restrictor
		restrict.Checker
	} = c
	res, err := r.Restrict(ctx, restrict.Target{ID: created.ID, Reason: "chargeback"})
	if err != nil {
		return fmt.Errorf("restrict through the interface: %w", err)
	}
	fmt.Fprintf(out, "Restrictor: %s %s -> %s\n", res.Provider, res.Action, res.State)
	st, err := r.Status(ctx, restrict.Target{ID: created.ID})
	if err != nil {
		return fmt.Errorf("status through the interface: %w", err)
	}
	fmt.Fprintf(out, "Checker: state %s\n", st.State)
	_, err = r.Lift(ctx, restrict.Target{ID: created.ID})
	fmt.Fprintf(out, "Lift unsupported: %t\n", errors.Is(err, restrict.ErrUnsupported))

	// Every call above shared one login.
	fmt.Fprintf(out, "logins: %d\n", srv.Logins())
	return nil
}
