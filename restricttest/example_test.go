package restricttest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/jarcoal/httpmock"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/purse"
	"github.com/restrictkit/restrict/restricttest"
)

// stopCustomer is the consumer's code under test: it restricts a customer
// at every provider and says whether anything failed.
func stopCustomer(ctx context.Context, providers map[string]restrict.Restrictor, ids map[string]string) error {
	var bindings []restrict.Binding
	for _, name := range []string{"cryptomus", "purse"} {
		bindings = append(bindings, restrict.Binding{Name: name, Restrictor: providers[name], Target: restrict.Target{ID: ids[name], Reason: "sanctions hit"}})
	}
	return restrict.RestrictAll(ctx, bindings...).Err()
}

// A consumer's test written with the Fake: state per ID, recorded calls and
// an injected failure.
func ExampleFake() {
	crypto := &restricttest.Fake{Provider: "cryptomus", NoLift: true}
	purse := &restricttest.Fake{Provider: "purse"}
	purse.FailWith("cust-9", &restrict.APIError{Provider: "purse", Class: restrict.ErrNotFound, Message: "Not found"})

	err := stopCustomer(context.Background(),
		map[string]restrict.Restrictor{"cryptomus": crypto, "purse": purse},
		map[string]string{"cryptomus": "order-17", "purse": "cust-9"})

	fmt.Println("not found somewhere:", errors.Is(err, restrict.ErrNotFound))
	fmt.Println("cryptomus wallet:", crypto.State("order-17"))
	fmt.Println("calls at purse:", len(purse.Calls()))
	// Output:
	// not found somewhere: true
	// cryptomus wallet: restricted
	// calls at purse: 1
}

// Route a provider client through httpmock: one option, and every request
// goes to the mock. httpmock.Activate alone would not do it (the clients
// never use http.DefaultTransport), and the test would call the real host.
func ExampleWithTransport() {
	mock := httpmock.NewMockTransport()
	const customer = "0e4b8c4c-7d3f-4b8e-9d7a-3f0c5b9e2a11"
	mock.RegisterResponder(http.MethodPost, "https://api.calypso.finance/api/v1/customer-purse/customer/block",
		httpmock.NewStringResponder(http.StatusOK, `{"id":"`+customer+`","blocked":true}`))

	client, err := purse.New(purse.Credentials{Account: "acct-1", Key: "key-from-your-vault", Secret: "secret-from-your-vault"},
		restricttest.WithTransport(mock))
	if err != nil {
		panic(err)
	}
	res, err := client.Restrict(context.Background(), restrict.Target{ID: customer})
	fmt.Println(res.State, err)
	fmt.Println("requests:", mock.GetTotalCallCount())
	// Output:
	// restricted <nil>
	// requests: 1
}
