package cryptomus_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/cryptomus"
	"github.com/restrictkit/restrict/cryptomus/cryptomustest"
)

// Blocking a customer's static wallet by its order ID. The example runs
// against the fake; in production leave out WithBaseURL.
func ExampleClient_BlockAddress() {
	srv := cryptomustest.NewServer("8b03432e-385b-4670-8d06-064591096795", "payment-key")
	defer srv.Close()
	srv.AddWallet(cryptomustest.Wallet{OrderID: "customer-42"})

	c, err := cryptomus.New(cryptomus.Credentials{
		MerchantID: "8b03432e-385b-4670-8d06-064591096795",
		PaymentKey: "payment-key",
	}, restrict.WithBaseURL(srv.URL))
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

// Restrict through the provider-neutral interface: a wallet UUID or an
// order ID both work. Lift is unsupported and sends nothing.
func ExampleClient_Restrict() {
	srv := cryptomustest.NewServer("8b03432e-385b-4670-8d06-064591096795", "payment-key")
	defer srv.Close()
	w := srv.AddWallet(cryptomustest.Wallet{UUID: "fcc40793-39f9-4fa9-85b2-93148039a72b"})

	var r restrict.Restrictor
	c, err := cryptomus.New(cryptomus.Credentials{MerchantID: "8b03432e-385b-4670-8d06-064591096795", PaymentKey: "payment-key"},
		restrict.WithBaseURL(srv.URL))
	if err != nil {
		fmt.Println(err)
		return
	}
	r = c
	res, err := r.Restrict(context.Background(), restrict.Target{ID: w.UUID, Reason: "chargeback"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Provider, res.Action, res.State)

	_, err = r.Lift(context.Background(), restrict.Target{ID: w.UUID})
	fmt.Println(errors.Is(err, restrict.ErrUnsupported), srv.Requests())
	// Output:
	// cryptomus block restricted
	// true 1
}

// Verifying a webhook before acting on it.
func ExampleClient_VerifyWebhook() {
	srv := cryptomustest.NewServer("8b03432e-385b-4670-8d06-064591096795", "payment-key")
	defer srv.Close()
	body := srv.SignWebhook(cryptomus.Webhook{Type: cryptomus.WebhookWallet, OrderID: "customer-42", Amount: "10.00", Status: "paid"})

	c, err := cryptomus.New(cryptomus.Credentials{MerchantID: "8b03432e-385b-4670-8d06-064591096795", PaymentKey: "payment-key"})
	if err != nil {
		fmt.Println(err)
		return
	}
	w, err := c.VerifyWebhook(body)
	if err != nil {
		fmt.Println("refused:", err)
		return
	}
	fmt.Println(w.Type, w.OrderID, w.Amount, w.Status)

	_, err = c.VerifyWebhook([]byte(`{"type":"wallet","amount":"1000.00","sign":"00000000000000000000000000000000"}`))
	fmt.Println(errors.Is(err, restrict.ErrUnauthorized))
	// Output:
	// wallet customer-42 10.00 paid
	// true
}
