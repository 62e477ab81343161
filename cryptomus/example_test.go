package cryptomus_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/cryptomus"
	"github.com/restrictkit/restrict/cryptomus/cryptomustest"
)

// exampleCreds are the fake merchant's credentials in these examples; the
// examples run against the fake, and in production leave out WithBaseURL.
var exampleCreds = cryptomus.Credentials{
	MerchantID: "8b03432e-385b-4670-8d06-064591096795",
	PaymentKey: "payment-key",
}

// A client for a merchant, at Cryptomus' own host. The key would come from
// a secret store; the client never prints it.
func ExampleNew() {
	c, err := cryptomus.New(exampleCreds)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%+v\n", c)

	_, err = cryptomus.New(cryptomus.Credentials{MerchantID: exampleCreds.MerchantID})
	fmt.Println(errors.Is(err, restrict.ErrInvalidRequest), err)
	// Output:
	// cryptomus.Client{host: api.cryptomus.com}
	// true restrict: cryptomus New: invalid request: PaymentKey is required
}

// Restrict through the provider-neutral interface: a wallet UUID or an
// order ID both work, and restricting twice is a success both times. Lift
// is unsupported and sends nothing.
func ExampleClient_Restrict() {
	srv := cryptomustest.NewServer(exampleCreds)
	defer srv.Close()
	w := srv.AddWallet(cryptomustest.Wallet{UUID: "fcc40793-39f9-4fa9-85b2-93148039a72b", OrderID: "customer-42"})

	c, err := cryptomus.New(exampleCreds, restrict.WithBaseURL(srv.BaseURL()))
	if err != nil {
		fmt.Println(err)
		return
	}
	var r restrict.Restrictor = c
	for _, id := range []string{w.UUID, "customer-42"} {
		res, err := r.Restrict(context.Background(), restrict.Target{ID: id, Reason: "chargeback"})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(res.Provider, res.Action, res.State)
	}

	_, err = r.Lift(context.Background(), restrict.Target{ID: w.UUID})
	fmt.Println(errors.Is(err, restrict.ErrUnsupported), srv.Requests())
	// Output:
	// cryptomus block restricted
	// cryptomus block restricted
	// true 2
}

// Status is unsupported: Cryptomus has no call that reads a wallet's block
// state. Nothing is sent.
func ExampleClient_Status() {
	srv := cryptomustest.NewServer(exampleCreds)
	defer srv.Close()
	c, err := cryptomus.New(exampleCreds, restrict.WithBaseURL(srv.BaseURL()))
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = c.Status(context.Background(), restrict.Target{ID: "customer-42"})
	fmt.Println(errors.Is(err, restrict.ErrUnsupported), srv.Requests())
	// Output:
	// true 0
}

// Blocking a customer's static wallet by its order ID.
func ExampleClient_BlockAddress() {
	srv := cryptomustest.NewServer(exampleCreds)
	defer srv.Close()
	srv.AddWallet(cryptomustest.Wallet{OrderID: "customer-42"})

	c, err := cryptomus.New(exampleCreds, restrict.WithBaseURL(srv.BaseURL()))
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := c.BlockAddress(context.Background(), cryptomus.BlockAddressRequest{OrderID: "customer-42"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Status, res.StatusCode)

	_, err = c.BlockAddress(context.Background(), cryptomus.BlockAddressRequest{OrderID: "customer-43"})
	fmt.Println(errors.Is(err, restrict.ErrNotFound))
	// Output:
	// blocked 200
	// true
}

// Creating a static wallet for a customer's order; the same order ID gives
// the same wallet again.
func ExampleClient_CreateStaticWallet() {
	srv := cryptomustest.NewServer(exampleCreds)
	defer srv.Close()
	c, err := cryptomus.New(exampleCreds, restrict.WithBaseURL(srv.BaseURL()))
	if err != nil {
		fmt.Println(err)
		return
	}
	req := cryptomus.CreateStaticWalletRequest{Currency: "USDT", Network: "tron", OrderID: "customer-42"}
	w, err := c.CreateStaticWallet(context.Background(), req)
	if err != nil {
		fmt.Println(err)
		return
	}
	again, err := c.CreateStaticWallet(context.Background(), req)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(w.Currency, w.Network, again.UUID == w.UUID)
	// Output:
	// USDT tron true
}

// Refunding what a blocked wallet held, once.
func ExampleClient_RefundBlockedAddress() {
	srv := cryptomustest.NewServer(exampleCreds)
	defer srv.Close()
	w := srv.AddWallet(cryptomustest.Wallet{Status: cryptomus.WalletStatusBlocked, Balance: "10.00", Commission: "0.50"})
	c, err := cryptomus.New(exampleCreds, restrict.WithBaseURL(srv.BaseURL()))
	if err != nil {
		fmt.Println(err)
		return
	}
	req := cryptomus.RefundBlockedAddressRequest{UUID: w.UUID, Address: "TK8Qa2qXnF3rBrSzrHgCHWvv8qXx5UbpYm"}
	res, err := c.RefundBlockedAddress(context.Background(), req)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Amount, res.Commission)

	_, err = c.RefundBlockedAddress(context.Background(), req)
	fmt.Println(errors.Is(err, restrict.ErrConflict), err)
	// Output:
	// 9.50 0.50
	// true restrict: cryptomus RefundBlockedAddress: HTTP 422: You can withdraw only once
}

// Verifying a webhook before acting on it: the body as posted, and the
// payment key.
func ExampleVerifyWebhook() {
	srv := cryptomustest.NewServer(exampleCreds)
	defer srv.Close()
	body := srv.SignWebhook(cryptomus.Webhook{Type: cryptomus.WebhookWallet, OrderID: "customer-42", Amount: "10.00", Status: "paid"})

	w, err := cryptomus.VerifyWebhook(exampleCreds.PaymentKey, body)
	if err != nil {
		fmt.Println("refused:", err)
		return
	}
	fmt.Println(w.Type, w.OrderID, w.Amount, w.Status)

	_, err = cryptomus.VerifyWebhook(exampleCreds.PaymentKey, []byte(`{"type":"wallet","amount":"1000.00","sign":"00000000000000000000000000000000"}`))
	fmt.Println(errors.Is(err, restrict.ErrUnauthorized))
	// Output:
	// wallet customer-42 10.00 paid
	// true
}
