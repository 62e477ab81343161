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
// merchant user's email and password, and read its state back. The fake
// stands in for KunaCore.
func Example() {
	creds := customerv2.Credentials{
		MerchantID: customerv2test.MerchantID,
		Email:      customerv2test.Email,
		Password:   customerv2test.Password,
	}
	srv := customerv2test.NewServer(creds)
	defer srv.Close()
	id := srv.AddCustomer(customerv2.Customer{Email: "alex@example.com", FirstName: "Alex", LastName: "Smith"}).ID

	c, err := customerv2.New(creds, restrict.WithBaseURL(srv.BaseURL()))
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

	st, err := c.Status(ctx, restrict.Target{ID: id})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(st.State)

	_, err = c.Lift(ctx, restrict.Target{ID: id})
	fmt.Println(errors.Is(err, restrict.ErrUnsupported))
	// Output:
	// suspend restricted
	// restricted
	// true
}

// Build a client with an API key. KunaCore publishes no host, so
// WithBaseURL is required.
func ExampleNew() {
	_, err := customerv2.New(customerv2.Credentials{APIKey: customerv2test.APIKey})
	fmt.Println(errors.Is(err, restrict.ErrInvalidRequest))

	c, err := customerv2.New(customerv2.Credentials{APIKey: customerv2test.APIKey},
		restrict.WithBaseURL("https://kunacore.example"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c)
	// Output:
	// true
	// customerv2.Client{host: kunacore.example}
}

// Restrict is idempotent: a customer suspended already is a success.
func ExampleClient_Restrict() {
	srv := customerv2test.NewServer(customerv2.Credentials{APIKey: customerv2test.APIKey})
	defer srv.Close()
	id := srv.AddCustomer(customerv2.Customer{Email: "alex@example.com"}).ID
	c, err := customerv2.New(customerv2.Credentials{APIKey: customerv2test.APIKey}, restrict.WithBaseURL(srv.BaseURL()))
	if err != nil {
		fmt.Println(err)
		return
	}
	for i := 0; i < 2; i++ {
		res, err := c.Restrict(context.Background(), restrict.Target{ID: id})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(res.State)
	}

	_, err = c.Restrict(context.Background(), restrict.Target{ID: "customer-1"})
	fmt.Println(err)
	// Output:
	// restricted
	// restricted
	// restrict: customerv2 Restrict: invalid request: ID must be a UUID (8-4-4-4-12 hexadecimal digits)
}

// Status reads the customer's status through CustomerDetails.
func ExampleClient_Status() {
	srv := customerv2test.NewServer(customerv2.Credentials{APIKey: customerv2test.APIKey})
	defer srv.Close()
	active := srv.AddCustomer(customerv2.Customer{Email: "a@example.com"}).ID
	blocked := srv.AddCustomer(customerv2.Customer{Email: "b@example.com", Status: customerv2.StatusBlocked}).ID
	c, err := customerv2.New(customerv2.Credentials{APIKey: customerv2test.APIKey}, restrict.WithBaseURL(srv.BaseURL()))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, id := range []string{active, blocked} {
		res, err := c.Status(context.Background(), restrict.Target{ID: id})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(res.State)
	}
	// Output:
	// active
	// restricted
}

// Suspend and read the customer back with the native calls.
func ExampleClient_Suspend() {
	srv := customerv2test.NewServer(customerv2.Credentials{APIKey: customerv2test.APIKey})
	defer srv.Close()
	id := srv.AddCustomer(customerv2.Customer{Email: "alex@example.com", FirstName: "Alex", LastName: "Smith"}).ID
	c, err := customerv2.New(customerv2.Credentials{APIKey: customerv2test.APIKey}, restrict.WithBaseURL(srv.BaseURL()))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()

	res, err := c.Suspend(ctx, customerv2.SuspendRequest{ID: id})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Success, res.StatusCode)

	details, err := c.CustomerDetails(ctx, customerv2.CustomerDetailsRequest{ID: id})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(details.FirstName, details.Status)
	// Output:
	// true 200
	// Alex Suspended
}

// Create a customer, see a duplicate email refused, and see every missing
// field named at once.
func ExampleClient_CreateCustomer() {
	srv := customerv2test.NewServer(customerv2.Credentials{APIKey: customerv2test.APIKey})
	defer srv.Close()
	c, err := customerv2.New(customerv2.Credentials{APIKey: customerv2test.APIKey}, restrict.WithBaseURL(srv.BaseURL()))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	req := customerv2.CreateCustomerRequest{
		Email:                  "alex@example.com",
		FirstName:              "Alex",
		LastName:               "Smith",
		Country:                "UA",
		VerificationDocumentID: "passport-FX123456",
		ResidenceAddress:       "Kyiv, Khreshchatyk St 1",
	}
	created, err := c.CreateCustomer(ctx, req)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(created.Status, created.WalletID != "")

	_, err = c.CreateCustomer(ctx, req)
	fmt.Println(errors.Is(err, restrict.ErrConflict))
	fmt.Println(err)

	_, err = c.CreateCustomer(ctx, customerv2.CreateCustomerRequest{Email: "b@example.com", FirstName: "B", LastName: "C"})
	fmt.Println(err)
	// Output:
	// Active true
	// true
	// restrict: customerv2 CreateCustomer: HTTP 409: Customer with this email already exists
	// restrict: customerv2 CreateCustomer: invalid request: country is required; residenceAddress is required; verificationDocumentId is required
}

// Change some fields of a customer; fields left nil are not sent.
func ExampleClient_UpdateCustomer() {
	srv := customerv2test.NewServer(customerv2.Credentials{APIKey: customerv2test.APIKey})
	defer srv.Close()
	id := srv.AddCustomer(customerv2.Customer{Email: "alex@example.com", FirstName: "Alex", LastName: "Smith", Comment: "new"}).ID
	c, err := customerv2.New(customerv2.Credentials{APIKey: customerv2test.APIKey}, restrict.WithBaseURL(srv.BaseURL()))
	if err != nil {
		fmt.Println(err)
		return
	}
	updated, err := c.UpdateCustomer(context.Background(), customerv2.UpdateCustomerRequest{
		ID:        id,
		FirstName: restrict.Ptr("Alexander"),
		Comment:   restrict.Ptr(""),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s %s %q\n", updated.FirstName, updated.LastName, updated.Comment)
	// Output:
	// Alexander Smith ""
}

// Page through customers with Take and Skip.
func ExampleClient_FindCustomers() {
	srv := customerv2test.NewServer(customerv2.Credentials{APIKey: customerv2test.APIKey})
	defer srv.Close()
	for _, email := range []string{"a@example.com", "b@example.com", "c@example.com"} {
		srv.AddCustomer(customerv2.Customer{Email: email})
	}
	c, err := customerv2.New(customerv2.Credentials{APIKey: customerv2test.APIKey}, restrict.WithBaseURL(srv.BaseURL()))
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
