package customerv2test_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/customerv2"
	"github.com/restrictkit/restrict/customerv2/customerv2test"
	"github.com/restrictkit/restrict/restricttest"
)

// A test of code that suspends KunaCore customers, in login mode: the fake
// accepts the login it is given, issues the JWT, counts logins and keeps
// the customer's status.
func Example() {
	creds := customerv2.Credentials{MerchantID: "m-1", Email: "ops@example.com", Password: "s3cret-password"}
	srv := customerv2test.NewServer(creds)
	defer srv.Close()
	cust := srv.AddCustomer(customerv2.Customer{Email: "suspect@example.com", FirstName: "Ivan", LastName: "Petrenko", Country: "UA"})

	c, err := customerv2.New(creds, restrict.WithBaseURL(srv.BaseURL()))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	_, err = c.Restrict(ctx, restrict.Target{ID: cust.ID})
	stored, _ := srv.Customer(cust.ID)
	fmt.Println(err, stored.Status, srv.Logins())

	st, err := c.Status(ctx, restrict.Target{ID: cust.ID})
	fmt.Println(st.State, err)

	srv.Inject(restricttest.Fault{Status: 404, Body: `{"statusCode":404,"message":"Customer not found","error":"Not Found"}`, Times: 1})
	_, err = c.Restrict(ctx, restrict.Target{ID: cust.ID})
	fmt.Println(errors.Is(err, restrict.ErrNotFound))
	// Output:
	// <nil> Suspended 1
	// restricted <nil>
	// true
}
