package purse_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/purse"
	"github.com/restrictkit/restrict/purse/pursetest"
)

// exampleCreds are the made-up credentials the examples' fake accepts.
var exampleCreds = purse.Credentials{Account: "0x00000000000000000000000000000000000000aa", Key: "public-key", Secret: "secret"}

// The fake stands in for api.calypso.finance; against the real API, leave
// out WithBaseURL.
func Example() {
	srv := pursetest.NewServer(exampleCreds)
	defer srv.Close()
	cust := srv.AddCustomer(purse.Customer{Email: "alice@example.com", ExternalID: "user-1"})

	c, err := purse.New(exampleCreds, restrict.WithBaseURL(srv.BaseURL()))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	res, err := c.Restrict(ctx, restrict.Target{ID: cust.ID, Reason: "chargeback"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Provider, res.Action, res.State)

	res, err = c.Status(ctx, restrict.Target{ID: cust.ID})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("status:", res.State)

	res, err = c.Lift(ctx, restrict.Target{ID: cust.ID})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Provider, res.Action, res.State)

	_, err = c.Restrict(ctx, restrict.Target{ID: "00000000-0000-4000-8000-00000000dead"})
	fmt.Println(errors.Is(err, restrict.ErrNotFound))
	// Output:
	// purse block restricted
	// status: restricted
	// purse unblock active
	// true
}

func ExampleNew() {
	c, err := purse.New(purse.Credentials{Account: "0x00000000000000000000000000000000000000aa", Key: "public-key", Secret: "secret"},
		restrict.WithBaseURL("https://api.calypso.money"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c)

	_, err = purse.New(purse.Credentials{Account: "0x00000000000000000000000000000000000000aa", Key: "public-key"})
	fmt.Println(err)
	// Output:
	// purse.Client{host: api.calypso.money}
	// restrict: purse New: invalid request: Secret is required
}

func ExampleClient_Status() {
	srv := pursetest.NewServer(exampleCreds)
	defer srv.Close()
	cust := srv.AddCustomer(purse.Customer{Blocked: true})
	c, err := purse.New(exampleCreds, restrict.WithBaseURL(srv.BaseURL()))
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := c.Status(context.Background(), restrict.Target{ID: cust.ID})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.State)
	// Output: restricted
}

func ExampleCheckTargetID() {
	fmt.Println(purse.CheckTargetID("7b5c1f0e-2a3d-4e5f-8a9b-0c1d2e3f4a5b"))
	fmt.Println(purse.CheckTargetID("user-1001"))
	// Output:
	// <nil>
	// restrict: purse CheckTargetID: invalid request: ID must be a UUID (8-4-4-4-12 hexadecimal digits)
}

// A customer known by the merchant's own ID is found, then blocked by
// Calypso's.
func ExampleClient_BlockCustomer() {
	srv := pursetest.NewServer(exampleCreds)
	defer srv.Close()
	srv.AddCustomer(purse.Customer{ExternalID: "user-1001"})
	c, err := purse.New(exampleCreds, restrict.WithBaseURL(srv.BaseURL()))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	cust, err := c.GetCustomerByExternalID(ctx, purse.GetCustomerByExternalIDRequest{ExternalID: "user-1001"})
	if err != nil {
		fmt.Println(err)
		return
	}
	blocked, err := c.BlockCustomer(ctx, purse.BlockCustomerRequest{CustomerID: cust.ID})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(blocked.ExternalID, blocked.Blocked, blocked.StatusCode)
	// Output: user-1001 true 200
}

func ExampleClient_CreateCustomer() {
	srv := pursetest.NewServer(exampleCreds)
	defer srv.Close()
	c, err := purse.New(exampleCreds, restrict.WithBaseURL(srv.BaseURL()))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	cust, err := c.CreateCustomer(ctx, purse.CreateCustomerRequest{Email: "alice@example.com", ExternalID: "user-1001"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cust.Email, cust.Blocked)

	// The external ID is taken: Calypso's errorCode 016.
	_, err = c.CreateCustomer(ctx, purse.CreateCustomerRequest{ExternalID: "user-1001"})
	var ae *restrict.APIError
	fmt.Println(errors.As(err, &ae) && errors.Is(err, restrict.ErrConflict), ae.Code)
	// Output:
	// alice@example.com false
	// true 016
}

func ExampleClient_GetPurses() {
	srv := pursetest.NewServer(exampleCreds)
	defer srv.Close()
	cust := srv.AddCustomer(purse.Customer{ExternalID: "user-1"})
	p := srv.AddPurse(purse.Purse{CustomerID: cust.ID, Currency: "USDT", Balance: "125.50"})
	srv.AddAddress(purse.Address{PurseID: p.ID, CustomerID: cust.ID, Currency: "USDT", Address: "TQrZ8tKfjGp1ExampleDepositAddr"})

	c, err := purse.New(exampleCreds, restrict.WithBaseURL(srv.BaseURL()))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	purses, err := c.GetPurses(ctx, purse.GetPursesRequest{CustomerID: cust.ID})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range purses.Purses {
		addr, err := c.GetAddress(ctx, purse.GetAddressRequest{PurseID: p.ID})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(p.Currency, p.Balance, addr.Address)
	}
	// Output: USDT 125.50 TQrZ8tKfjGp1ExampleDepositAddr
}

func ExampleClient_FindTransactions() {
	srv := pursetest.NewServer(exampleCreds)
	defer srv.Close()
	cust := srv.AddCustomer(purse.Customer{ExternalID: "user-1"})
	srv.AddTransaction(purse.Transaction{CustomerID: cust.ID, Currency: "USDT", Amount: "25.00", TransactionState: "MEM_POOL_FOUND"})
	srv.AddTransaction(purse.Transaction{CustomerID: cust.ID, Currency: "BTC", Amount: "0.001", TransactionState: "CONFIRMED"})

	c, err := purse.New(exampleCreds, restrict.WithBaseURL(srv.BaseURL()))
	if err != nil {
		fmt.Println(err)
		return
	}
	page, err := c.FindTransactions(context.Background(), purse.FindTransactionsRequest{
		CustomerID:     cust.ID,
		CurrencyFilter: &purse.Filter{In: []string{"USDT"}},
		PageSize:       50,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, tx := range page.Result {
		fmt.Println(tx.Currency, tx.Amount, tx.TransactionState)
	}
	fmt.Println("total:", page.TotalElements)
	// Output:
	// USDT 25.00 MEM_POOL_FOUND
	// total: 1
}

// A webhook handler checks the Sign header with the subscription's
// secretKey before trusting anything in the body.
func ExampleVerifyWebhook() {
	secretKey := restrict.Secret("subscription-secret-key")
	body := []byte(`{"requestId":"bf9348b7-2c14-46d7-868c-b597852da319","id":1,"level":"SUCCESS",` +
		`"eventType":"CUSTOMER_PURSE_FUNDS_RECEIVED_FOR_PURSE",` +
		`"data":{"customerId":"7b5c1f0e-2a3d-4e5f-8a9b-0c1d2e3f4a5b","customerBlocked":true,"amount":0.01,"currency":"USDT"}}`)
	sign := purse.Sign(secretKey, body) // what Calypso sends in the Sign header

	w, err := purse.VerifyWebhook(secretKey, body, sign)
	if err != nil {
		fmt.Println(err)
		return
	}
	if w.EventType == purse.WebhookFundsReceived && w.Data.Blocked {
		fmt.Println("funds for blocked customer", w.Data.CustomerID, w.Data.Amount, w.Data.Currency)
	}

	_, err = purse.VerifyWebhook(secretKey, body, purse.Sign("another-key", body))
	fmt.Println(errors.Is(err, restrict.ErrUnauthorized))
	// Output:
	// funds for blocked customer 7b5c1f0e-2a3d-4e5f-8a9b-0c1d2e3f4a5b 0.01 USDT
	// true
}
