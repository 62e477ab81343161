package walletplatformtest_test

import (
	"context"
	"fmt"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/walletplatform"
	"github.com/restrictkit/restrict/walletplatform/walletplatformtest"
)

// A test of code that freezes SABI accounts: the fake accepts the
// credentials it was started with, logs the client in, answers in the XML
// form the docs print, and keeps the account's status for Status to read.
func Example() {
	creds := walletplatform.Credentials{APIKey: "test-api-key", Username: "ops@example.com", PassID: "test-pass-id"}
	srv := walletplatformtest.NewServer(creds)
	defer srv.Close()
	srv.AddAccount("acc-1")
	srv.SetXML(true)

	c, _ := walletplatform.New(creds, restrict.WithBaseURL(srv.BaseURL()))
	ctx := context.Background()
	res, err := c.Restrict(ctx, restrict.Target{ID: "acc-1"})
	acc, _ := srv.Account("acc-1")
	fmt.Println(err, res.State, acc.Status, srv.Logins())

	st, err := c.Status(ctx, restrict.Target{ID: "acc-1"})
	fmt.Println(err, st.State)
	// Output:
	// <nil> restricted FROZEN 1
	// <nil> restricted
}

// A client given a static token, as a token obtained outside the client.
func ExampleServer_IssueToken() {
	srv := walletplatformtest.NewServer(walletplatform.Credentials{APIKey: "test-api-key", Token: "static-token-123"})
	defer srv.Close()
	srv.AddAccount("acc-1")

	c, _ := walletplatform.New(walletplatform.Credentials{APIKey: "test-api-key", Token: restrict.Secret(srv.IssueToken())},
		restrict.WithBaseURL(srv.BaseURL()))
	_, err := c.FreezeAccount(context.Background(), walletplatform.FreezeAccountRequest{AccountID: "acc-1"})
	fmt.Println(err, srv.Logins())
	// Output:
	// <nil> 0
}
