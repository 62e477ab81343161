package purse_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/purse"
	"github.com/restrictkit/restrict/purse/pursetest"
)

// The fake stands in for api.calypso.finance; against the real API, leave
// out WithBaseURL.
func Example() {
	srv := pursetest.NewServer(pursetest.Credentials{Account: "0x00000000000000000000000000000000000000aa", Key: "public-key", Secret: "secret"})
	defer srv.Close()
	cust := srv.AddCustomer(purse.Customer{Email: "alice@example.com", ExternalID: "user-1"})

	c, err := purse.New(purse.Credentials{Account: "0x00000000000000000000000000000000000000aa", Key: "public-key", Secret: "secret"},
		restrict.WithBaseURL(srv.URL))
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := c.Restrict(context.Background(), restrict.Target{ID: cust.ID, Reason: "chargeback"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Provider, res.Action, res.State)

	res, err = c.Lift(context.Background(), restrict.Target{ID: cust.ID})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Provider, res.Action, res.State)

	_, err = c.Restrict(context.Background(), restrict.Target{ID: "00000000-0000-4000-8000-00000000dead"})
	fmt.Println(errors.Is(err, restrict.ErrNotFound))
	// Output:
	// purse block restricted
	// purse unblock active
	// true
}

func ExampleClient_FindTransactions() {
	srv := pursetest.NewServer(pursetest.Credentials{Account: "0xacc", Key: "k", Secret: "s"})
	defer srv.Close()
	cust := srv.AddCustomer(purse.Customer{ExternalID: "user-1"})
	srv.AddTransaction(purse.Transaction{CustomerID: cust.ID, Currency: "USDT", Amount: "25.00", TransactionState: "MEM_POOL_FOUND"})
	srv.AddTransaction(purse.Transaction{CustomerID: cust.ID, Currency: "BTC", Amount: "0.001", TransactionState: "COMPLETED"})

	c, err := purse.New(purse.Credentials{Account: "0xacc", Key: "k", Secret: "s"}, restrict.WithBaseURL(srv.URL))
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

func ExampleVerifyWebhook() {
	body := []byte(`{"timestamp":1}`)
	sign := purse.Sign("b823a6b9ea72408583cef9ec8d67fa52", body)
	fmt.Println(sign[:16], purse.VerifyWebhook("b823a6b9ea72408583cef9ec8d67fa52", body, sign))
	// Output: b16e9d45f49f2069 true
}
