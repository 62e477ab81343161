// Command purse walks through the Calypso Pay Customer Purse client's native
// API against an in-process fake of Calypso: create a customer, look at its
// purses and deposits, block it, find its transactions, unblock it, and see
// how refusals read.
//
//	go run ./examples/purse      # -v logs every HTTP attempt to stderr
//
// It needs no account and never calls the real Calypso: it creates a
// customer, which is not something to try on a live merchant. To restrict a
// real customer, use the quickstart with the RESTRICT_PURSE_* variables.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/examples/internal/example"
	"github.com/restrictkit/restrict/purse"
	"github.com/restrictkit/restrict/purse/pursetest"
)

// The fake merchant's credentials. The key and secret are secrets to the
// program all the same: they are never printed.
const (
	account = "0x00000000000000000000000000000000000000aa"
	key     = "example-purse-public-key"
	secret  = "example-purse-secret"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	return example.Run("purse", args, stdout, stderr, walkthrough)
}

func walkthrough(ctx context.Context, logger *slog.Logger, out io.Writer) error {
	creds := purse.Credentials{Account: account, Key: key, Secret: secret}
	srv := pursetest.NewServer(creds)
	defer srv.Close()

	// In production leave out WithBaseURL: the client defaults to
	// https://api.calypso.finance.
	c, err := purse.New(creds, restrict.WithBaseURL(srv.BaseURL()), restrict.WithLogger(logger))
	if err != nil {
		return err
	}

	// 1. A customer, known to us as user-1001.
	cust, err := c.CreateCustomer(ctx, purse.CreateCustomerRequest{
		Email: "alice@example.com", Description: "retail customer", ExternalID: "user-1001",
	})
	if err != nil {
		return fmt.Errorf("CreateCustomer: %w", err)
	}
	fmt.Fprintf(out, "created customer %s (external ID %s), blocked: %t\n", cust.ID, cust.ExternalID, cust.Blocked)

	// CreateCustomer is not retried once it may have arrived, so after a
	// timeout look the customer up by your own ID before creating again. A
	// second create with the same external ID is refused.
	_, err = c.CreateCustomer(ctx, purse.CreateCustomerRequest{Email: "alice@example.com", ExternalID: "user-1001"})
	fmt.Fprintf(out, "duplicate external ID refused (%s): %v\n", class(err), err)

	// 2. Calypso opens a purse per currency and receives a deposit. The
	// fake stands in for that: the Customer Purse API has no call for it.
	p := srv.AddPurse(purse.Purse{CustomerID: cust.ID, Currency: "USDT", Balance: "125.50"})
	srv.AddAddress(purse.Address{PurseID: p.ID, CustomerID: cust.ID, Currency: "USDT", Address: "TQrZ8tKfjGp1ExampleDepositAddr"})
	srv.AddTransaction(purse.Transaction{CustomerID: cust.ID, PurseID: p.ID, Currency: "USDT", Amount: "125.50",
		TransactionState: "CONFIRMED", ComplianceState: "CHECKED", CreatedDate: "2026-11-20T10:00:00Z"})

	purses, err := c.GetPurses(ctx, purse.GetPursesRequest{CustomerID: cust.ID})
	if err != nil {
		return fmt.Errorf("GetPurses: %w", err)
	}
	for _, p := range purses.Purses {
		fmt.Fprintf(out, "purse %s: %s %s\n", p.ID, p.Balance, p.Currency)
	}
	addr, err := c.GetAddress(ctx, purse.GetAddressRequest{PurseID: p.ID})
	if err != nil {
		return fmt.Errorf("GetAddress: %w", err)
	}
	fmt.Fprintf(out, "deposit address: %s\n", addr.Address)

	// 3. Block. Deposits still arrive, but Calypso credits them to the
	// merchant instead of the customer's purse.
	blocked, err := c.BlockCustomer(ctx, purse.BlockCustomerRequest{CustomerID: cust.ID})
	if err != nil {
		return fmt.Errorf("BlockCustomer: %w", err)
	}
	fmt.Fprintf(out, "BlockCustomer: blocked %t (HTTP %d, %d attempt(s))\n", blocked.Blocked, blocked.StatusCode, blocked.Attempts)

	byExt, err := c.GetCustomerByExternalID(ctx, purse.GetCustomerByExternalIDRequest{ExternalID: "user-1001"})
	if err != nil {
		return fmt.Errorf("GetCustomerByExternalID: %w", err)
	}
	fmt.Fprintf(out, "GetCustomerByExternalID(user-1001): %s blocked %t\n", byExt.ID, byExt.Blocked)

	// 4. What did the customer move? A compliance review starts here.
	page, err := c.FindTransactions(ctx, purse.FindTransactionsRequest{
		CustomerID:     cust.ID,
		CurrencyFilter: &purse.Filter{Equals: restrict.Ptr("USDT")},
		Sort:           purse.SortDescending,
		Properties:     "createdDate",
		PageSize:       50,
	})
	if err != nil {
		return fmt.Errorf("FindTransactions: %w", err)
	}
	for _, tx := range page.Result {
		fmt.Fprintf(out, "transaction %s: %s %s %s (compliance %s)\n", tx.ID, tx.Amount, tx.Currency, tx.TransactionState, tx.ComplianceState)
	}
	fmt.Fprintf(out, "transactions found: %d\n", page.TotalElements)

	// 5. Unblock.
	unblocked, err := c.UnblockCustomer(ctx, purse.UnblockCustomerRequest{CustomerID: cust.ID})
	if err != nil {
		return fmt.Errorf("UnblockCustomer: %w", err)
	}
	fmt.Fprintf(out, "UnblockCustomer: blocked %t\n", unblocked.Blocked)

	// 6. Refusals match the restrict sentinels and keep Calypso's code.
	_, err = c.GetCustomer(ctx, purse.GetCustomerRequest{CustomerID: "00000000-0000-4000-8000-00000000dead"})
	var ae *restrict.APIError
	if !errors.As(err, &ae) || !errors.Is(err, restrict.ErrNotFound) {
		return fmt.Errorf("GetCustomer of an unknown ID: got %v, want an error matching ErrNotFound", err)
	}
	fmt.Fprintf(out, "unknown customer (%s, Calypso code %s): %v\n", class(err), ae.Code, err)

	wrong, err := purse.New(purse.Credentials{Account: account, Key: key, Secret: "not-the-secret"},
		restrict.WithBaseURL(srv.BaseURL()), restrict.WithLogger(logger))
	if err != nil {
		return err
	}
	_, err = wrong.GetCustomer(ctx, purse.GetCustomerRequest{CustomerID: cust.ID})
	if !errors.As(err, &ae) || !errors.Is(err, restrict.ErrUnauthorized) {
		return fmt.Errorf("wrong secret: got %v, want an error matching ErrUnauthorized", err)
	}
	fmt.Fprintf(out, "wrong secret (%s, Calypso code %s): %v\n", class(err), ae.Code, err)

	// 7. The same client through the provider-neutral interface: Status
	// reads the blocked flag back, the proof that a restriction holds.
	// Target.ID is Calypso's customer ID (purse.CheckTargetID).
	var r restrict.Restrictor = c
	var checker restrict.Checker = c
	target := restrict.Target{ID: cust.ID, Reason: "chargeback"}
	for _, call := range []func(context.Context, restrict.Target) (*restrict.Result, error){r.Restrict, checker.Status, r.Lift, checker.Status} {
		res, err := call(ctx, target)
		if err != nil {
			return err
		}
		if res.Action == "" {
			fmt.Fprintf(out, "Checker: %s status %s\n", res.Provider, res.State)
			continue
		}
		fmt.Fprintf(out, "Restrictor: %s %s -> %s\n", res.Provider, res.Action, res.State)
	}
	return nil
}

// class names the restrict sentinel an error matches, for printing.
func class(err error) string {
	for _, c := range []struct {
		name string
		err  error
	}{
		{"ErrInvalidRequest", restrict.ErrInvalidRequest}, {"ErrUnauthorized", restrict.ErrUnauthorized},
		{"ErrForbidden", restrict.ErrForbidden}, {"ErrNotFound", restrict.ErrNotFound},
		{"ErrConflict", restrict.ErrConflict}, {"ErrRateLimited", restrict.ErrRateLimited},
		{"ErrUnavailable", restrict.ErrUnavailable}, {"ErrUnsupported", restrict.ErrUnsupported},
	} {
		if errors.Is(err, c.err) {
			return c.name
		}
	}
	return "no class"
}
