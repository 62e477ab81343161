package cryptomustest_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/cryptomus"
	"github.com/restrictkit/restrict/cryptomus/cryptomustest"
	"github.com/restrictkit/restrict/restricttest"
)

// A test of code that blocks Cryptomus wallets: seed a wallet, run the code
// against the fake, inspect the fake's state, then make the fake fail.
func Example() {
	creds := cryptomus.Credentials{MerchantID: "8b03432e-385b-4670-8d06-064591096795", PaymentKey: "test-payment-key"}
	srv := cryptomustest.NewServer(creds)
	defer srv.Close()
	w := srv.AddWallet(cryptomustest.Wallet{OrderID: "order-17"})

	c, _ := cryptomus.New(creds, restrict.WithBaseURL(srv.BaseURL()),
		restrict.WithRetry(restrict.RetryPolicy{MaxAttempts: 2, MaxWait: time.Millisecond}))
	ctx := context.Background()
	_, err := c.Restrict(ctx, restrict.Target{ID: "order-17"})
	stored, _ := srv.Wallet(w.UUID)
	fmt.Println(err, stored.Status)

	srv.Inject(restricttest.Fault{Status: 503})
	_, err = c.Restrict(ctx, restrict.Target{ID: "order-17"})
	fmt.Println(errors.Is(err, restrict.ErrUnavailable), srv.Requests())
	// Output:
	// <nil> blocked
	// true 3
}

// A webhook as Cryptomus would post it, for a test of the code that
// receives it.
func ExampleServer_SignWebhook() {
	creds := cryptomus.Credentials{MerchantID: "8b03432e-385b-4670-8d06-064591096795", PaymentKey: "test-payment-key"}
	srv := cryptomustest.NewServer(creds)
	defer srv.Close()
	body := srv.SignWebhook(cryptomus.Webhook{Type: cryptomus.WebhookWallet, OrderID: "order-17", Amount: "5.00", Status: "paid"})

	w, err := cryptomus.VerifyWebhook(creds.PaymentKey, body)
	fmt.Println(w.OrderID, w.Amount, err)
	// Output:
	// order-17 5.00 <nil>
}
