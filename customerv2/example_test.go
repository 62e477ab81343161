package customerv2_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/customerv2"
	"github.com/restrictkit/restrict/customerv2/customerv2test"
)

// Suspend a customer through the Restrictor interface, logging in with a
// merchant's email and password. The fake stands in for KunaCore.
func Example() {
	srv := customerv2test.NewServer(customerv2test.Config{})
	defer srv.Close()
	id := srv.AddCustomer(customerv2.Customer{Email: "alex@example.com", FirstName: "Alex", LastName: "Smith"}).ID

	c, err := customerv2.New(customerv2.Credentials{
		MerchantID: customerv2test.DefaultMerchantID,
		Email:      customerv2test.DefaultEmail,
		Password:   customerv2test.DefaultPassword,
	}, restrict.WithBaseURL(srv.URL))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()

	res, err := c.Restrict(ctx, restrict.Target{ID: id, Reason: "chargeback fraud"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Action, res.State)

	_, err = c.Lift(ctx, restrict.Target{ID: id})
	fmt.Println(errors.Is(err, restrict.ErrUnsupported))

	details, err := c.CustomerDetails(ctx, id)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(details.FirstName, details.Status)
	// Output:
	// suspend restricted
	// true
	// Alex Suspended
}

// Create a customer with an API key, and see a duplicate email refused.
func ExampleClient_CreateCustomer() {
	srv := customerv2test.NewServer(customerv2test.Config{})
	defer srv.Close()
	c, err := customerv2.New(customerv2.Credentials{APIKey: customerv2test.DefaultAPIKey}, restrict.WithBaseURL(srv.URL))
	if err != nil {
		fmt.Println(err)
		return
	}
	req := customerv2.CreateCustomerRequest{
		Email:                  "alex@example.com",
		FirstName:              "Alex",
		LastName:               "Smith",
		Country:                "UA",
		VerificationDocumentID: "passport-FX123456",
		ResidenceAddress:       "Kyiv, Khreshchatyk St 1",
	}
	created, err := c.CreateCustomer(context.Background(), req)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(created.Status, created.WalletID != "")

	_, err = c.CreateCustomer(context.Background(), req)
	fmt.Println(errors.Is(err, restrict.ErrConflict))
	fmt.Println(err)
	// Output:
	// Active true
	// true
	// restrict: customerv2 CreateCustomer: HTTP 409 code "Conflict": Customer with this email already exists
}

// Page through customers with Take and Skip.
func ExampleClient_FindCustomers() {
	srv := customerv2test.NewServer(customerv2test.Config{})
	defer srv.Close()
	for _, email := range []string{"a@example.com", "b@example.com", "c@example.com"} {
		srv.AddCustomer(customerv2.Customer{Email: email})
	}
	c, err := customerv2.New(customerv2.Credentials{APIKey: customerv2test.DefaultAPIKey}, restrict.WithBaseURL(srv.URL))
	if err != nil {
		fmt.Println(err)
		return
	}
	for skip := 0; ; skip += 2 {
		page, err := c.FindCustomers(context.Background(), customerv2.FindCustomersRequest{Take: 2, Skip: skip})
		if err != nil {
			fmt.Println(err)
			return
		}
		if len(page.Customers) == 0 {
			break
		}
		for _, cu := range page.Customers {
			fmt.Println(skip, cu.Email)
		}
	}
	// Output:
	// 0 a@example.com
	// 0 b@example.com
	// 2 c@example.com
}
