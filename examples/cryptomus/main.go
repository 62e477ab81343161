// Command cryptomus walks through the Cryptomus client's native API against
// an in-process fake of Cryptomus: create a static wallet, verify the
// webhook of a top-up, block the wallet, refund what it held, and see how
// the refusals read.
//
//	go run ./examples/cryptomus      # -v logs every HTTP attempt to stderr
//
// It needs no account and never calls the real Cryptomus: creating wallets
// and refunding are not things to try on a live merchant. To restrict a real
// wallet, use the quickstart with the RESTRICT_CRYPTOMUS_* variables.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/cryptomus"
	"github.com/restrictkit/restrict/cryptomus/cryptomustest"
	"github.com/restrictkit/restrict/examples/internal/example"
)

// The fake merchant's credentials. The payment key is a secret to the
// program all the same: it is never printed.
const (
	merchantID = "8b03432e-385b-4670-8d06-064591096795"
	paymentKey = "example-cryptomus-payment-key"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	return example.Run("cryptomus", args, stdout, stderr, walkthrough)
}

func walkthrough(ctx context.Context, logger *slog.Logger, out io.Writer) error {
	creds := cryptomus.Credentials{MerchantID: merchantID, PaymentKey: paymentKey}
	srv := cryptomustest.NewServer(creds)
	defer srv.Close()

	// In production leave out WithBaseURL: the client defaults to
	// https://api.cryptomus.com.
	c, err := cryptomus.New(creds, restrict.WithBaseURL(srv.BaseURL()), restrict.WithLogger(logger))
	if err != nil {
		return err
	}

	// 1. A static wallet: one deposit address per customer, tied to an order ID.
	w, err := c.CreateStaticWallet(ctx, cryptomus.CreateStaticWalletRequest{
		Currency: "USDT", Network: "tron", OrderID: "customer-42",
	})
	if err != nil {
		return fmt.Errorf("CreateStaticWallet: %w", err)
	}
	fmt.Fprintf(out, "created wallet %s (%s %s) address %s\n", w.UUID, w.Currency, w.Network, w.Address)

	// Creating again with the same order ID is how to recover from a
	// timeout: Cryptomus answers with the wallet it already has.
	again, err := c.CreateStaticWallet(ctx, cryptomus.CreateStaticWalletRequest{
		Currency: "USDT", Network: "tron", OrderID: "customer-42",
	})
	if err != nil {
		return fmt.Errorf("CreateStaticWallet again: %w", err)
	}
	fmt.Fprintf(out, "same order ID gives the same wallet: %t\n", again.UUID == w.UUID)

	// 2. The customer tops the wallet up, and Cryptomus posts a webhook.
	// The fake stands in for the payer here: it credits the wallet and
	// signs the webhook as Cryptomus would.
	stored, _ := srv.Wallet(w.UUID)
	stored.Balance, stored.Commission = "25.00", "0.50"
	srv.AddWallet(stored)
	body := srv.SignWebhook(cryptomus.Webhook{
		Type: cryptomus.WebhookWallet, OrderID: "customer-42", WalletAddressUUID: w.UUID,
		Amount: "25.00", PaymentAmount: "25.00", Currency: "USDT", Network: "tron", Status: "paid", IsFinal: true,
	})
	// The webhook handler needs only the payment key, not a client.
	hook, err := cryptomus.VerifyWebhook(creds.PaymentKey, body)
	if err != nil {
		return fmt.Errorf("VerifyWebhook: %w", err)
	}
	fmt.Fprintf(out, "webhook verified: %s %s %s %s\n", hook.Type, hook.OrderID, hook.Amount, hook.Status)

	// A webhook whose amount was changed in transit must not be acted on.
	forged := []byte(`{"type":"wallet","order_id":"customer-42","amount":"2500.00","status":"paid","sign":"00000000000000000000000000000000"}`)
	_, err = cryptomus.VerifyWebhook(creds.PaymentKey, forged)
	fmt.Fprintf(out, "forged webhook refused: %t (ErrUnauthorized)\n", errors.Is(err, restrict.ErrUnauthorized))

	// 3. Block the wallet. Payments to it are no longer credited; Cryptomus
	// has no unblock.
	blocked, err := c.BlockAddress(ctx, cryptomus.BlockAddressRequest{OrderID: "customer-42"})
	if err != nil {
		return fmt.Errorf("BlockAddress: %w", err)
	}
	fmt.Fprintf(out, "blocked wallet %s: status %s, HTTP %d, %d attempt(s)\n", blocked.UUID, blocked.Status, blocked.StatusCode, blocked.Attempts)

	// 4. Refund what the blocked wallet held, once.
	refund, err := c.RefundBlockedAddress(ctx, cryptomus.RefundBlockedAddressRequest{
		UUID: w.UUID, Address: "TQrZ8tKfjGp1ExampleRefundAddr",
	})
	if err != nil {
		return fmt.Errorf("RefundBlockedAddress: %w", err)
	}
	fmt.Fprintf(out, "refunded %s (commission %s)\n", refund.Amount, refund.Commission)

	// A second refund is refused: it matches ErrConflict, and the error
	// carries Cryptomus' own words.
	_, err = c.RefundBlockedAddress(ctx, cryptomus.RefundBlockedAddressRequest{
		UUID: w.UUID, Address: "TQrZ8tKfjGp1ExampleRefundAddr",
	})
	if !errors.Is(err, restrict.ErrConflict) {
		return fmt.Errorf("second refund: got %v, want an error matching ErrConflict", err)
	}
	fmt.Fprintf(out, "second refund refused (ErrConflict): %v\n", err)

	// Input that cannot be valid is refused before anything is sent.
	_, err = c.BlockAddress(ctx, cryptomus.BlockAddressRequest{})
	var ae *restrict.APIError
	if !errors.As(err, &ae) || !errors.Is(err, restrict.ErrInvalidRequest) {
		return fmt.Errorf("empty block request: got %v, want an error matching ErrInvalidRequest", err)
	}
	fmt.Fprintf(out, "empty block request refused locally after %d attempts: %v\n", ae.Attempts, err)

	// 5. The same client through the provider-neutral interface.
	var r restrict.Restrictor = c
	res, err := r.Restrict(ctx, restrict.Target{ID: w.UUID, Reason: "chargeback"})
	if err != nil {
		return fmt.Errorf("restrict through the interface: %w", err)
	}
	fmt.Fprintf(out, "Restrict: %s %s -> %s\n", res.Provider, res.Action, res.State)
	// The wallet is blocked already: Restrict is idempotent, and says so.
	res, err = r.Restrict(ctx, restrict.Target{ID: "customer-42"})
	if err != nil {
		return fmt.Errorf("restrict again: %w", err)
	}
	fmt.Fprintf(out, "Restrict again by order ID: %s\n", res.State)
	_, err = r.Lift(ctx, restrict.Target{ID: w.UUID})
	fmt.Fprintf(out, "Lift unsupported: %t\n", errors.Is(err, restrict.ErrUnsupported))
	// Cryptomus has no call that reads a wallet's block state either.
	_, err = c.Status(ctx, restrict.Target{ID: w.UUID})
	fmt.Fprintf(out, "Status unsupported: %t\n", errors.Is(err, restrict.ErrUnsupported))
	return nil
}
