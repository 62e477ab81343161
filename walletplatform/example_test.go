package walletplatform_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/walletplatform"
	"github.com/restrictkit/restrict/walletplatform/walletplatformtest"
)

// exampleCreds are the credentials the examples' fake accepts. A real
// client takes them from its configuration.
var exampleCreds = walletplatform.Credentials{
	APIKey:   "6987f1c0-f01f-4b31-86e5-416ccaa906de",
	Username: "tech@example.com",
	PassID:   "example-pass-id",
}

// Freeze an account through the contract, read it back, and unfreeze it.
// The fake stands in for http://20.87.230.105/platform/wallets, which would
// also need restrict.WithInsecureHTTP().
func Example() {
	srv := walletplatformtest.NewServer(exampleCreds)
	defer srv.Close()
	srv.AddAccount("8f0c6e2a-acc1")

	c, err := walletplatform.New(exampleCreds, restrict.WithBaseURL(srv.BaseURL()))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	target := restrict.Target{ID: "8f0c6e2a-acc1", Reason: "chargeback"}

	for _, call := range []func(context.Context, restrict.Target) (*restrict.Result, error){c.Restrict, c.Status, c.Lift, c.Status} {
		res, err := call(ctx, target)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%q %s %s\n", res.Action, res.TargetID, res.State)
	}
	// Output:
	// "freeze" 8f0c6e2a-acc1 restricted
	// "" 8f0c6e2a-acc1 restricted
	// "unfreeze" 8f0c6e2a-acc1 active
	// "" 8f0c6e2a-acc1 active
}

// A client with a token obtained elsewhere: the key and the token go on
// every call, and no login is made.
func ExampleNew() {
	creds := walletplatform.Credentials{APIKey: "6987f1c0-f01f-4b31-86e5-416ccaa906de", Token: "Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2ln"}
	srv := walletplatformtest.NewServer(creds)
	defer srv.Close()
	srv.AddAccount("acc-1")

	c, err := walletplatform.New(creds, restrict.WithBaseURL(srv.BaseURL()))
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = c.FreezeAccount(context.Background(), walletplatform.FreezeAccountRequest{AccountID: "acc-1"})
	fmt.Println(err, srv.Logins())
	// Output:
	// <nil> 0
}

// The documented host is plain http on a bare IP: New refuses it unless
// the caller accepts clear text.
func ExampleNew_insecureHTTP() {
	const documented = "http://20.87.230.105/platform/wallets"

	_, err := walletplatform.New(exampleCreds, restrict.WithBaseURL(documented))
	fmt.Println(errors.Is(err, restrict.ErrInvalidRequest))

	_, err = walletplatform.New(exampleCreds, restrict.WithBaseURL(documented), restrict.WithInsecureHTTP())
	fmt.Println(err)
	// Output:
	// true
	// <nil>
}

// A freeze answers with the platform's message; a refusal matches a class
// with errors.Is and carries the platform's own words.
func ExampleClient_FreezeAccount() {
	srv := walletplatformtest.NewServer(exampleCreds)
	defer srv.Close()
	srv.AddAccount("acc-1")
	c, err := walletplatform.New(exampleCreds, restrict.WithBaseURL(srv.BaseURL()))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()

	res, err := c.FreezeAccount(ctx, walletplatform.FreezeAccountRequest{AccountID: "acc-1"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Message, res.StatusCode)

	_, err = c.FreezeAccount(ctx, walletplatform.FreezeAccountRequest{AccountID: "no-such-account"})
	var ae *restrict.APIError
	if errors.As(err, &ae) {
		fmt.Println(errors.Is(err, restrict.ErrNotFound), ae.StatusCode, ae.Message)
	}
	// Output:
	// Account freeze successful 200
	// true 404 Account id not found
}

func ExampleClient_UnfreezeAccount() {
	srv := walletplatformtest.NewServer(exampleCreds)
	defer srv.Close()
	srv.AddAccount("acc-1")
	c, err := walletplatform.New(exampleCreds, restrict.WithBaseURL(srv.BaseURL()))
	if err != nil {
		fmt.Println(err)
		return
	}

	res, err := c.UnfreezeAccount(context.Background(), walletplatform.UnfreezeAccountRequest{AccountID: "acc-1"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Message)
	// Output:
	// Account unfreeze successful
}

func ExampleClient_GetAccount() {
	srv := walletplatformtest.NewServer(exampleCreds)
	defer srv.Close()
	srv.AddAccount("8f0c6e2a-acc1")
	c, err := walletplatform.New(exampleCreds, restrict.WithBaseURL(srv.BaseURL()))
	if err != nil {
		fmt.Println(err)
		return
	}

	acc, err := c.GetAccount(context.Background(), "8f0c6e2a-acc1")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(acc.UUID, acc.Status)
	// Output:
	// 8f0c6e2a-acc1 ACTIVE
}

// Status reads the account's state back from the platform: the proof that
// a freeze holds.
func ExampleClient_Status() {
	srv := walletplatformtest.NewServer(exampleCreds)
	defer srv.Close()
	srv.AddAccount("acc-1")
	c, err := walletplatform.New(exampleCreds, restrict.WithBaseURL(srv.BaseURL()))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	if _, err := c.Restrict(ctx, restrict.Target{ID: "acc-1"}); err != nil {
		fmt.Println(err)
		return
	}

	res, err := c.Status(ctx, restrict.Target{ID: "acc-1"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.State)
	// Output:
	// restricted
}

// CheckTargetID is the rule Restrict, Lift and Status apply first, for
// checking a list of account IDs before any is sent.
func ExampleCheckTargetID() {
	for _, id := range []string{"8f0c6e2a-4b7d-4e1a-9c3f-0a1b2c3d4e5f", "../users", ""} {
		fmt.Println(walletplatform.CheckTargetID(id))
	}
	// Output:
	// <nil>
	// restrict: walletplatform CheckTargetID: invalid request: ID must not contain "/", "\" or ".."
	// restrict: walletplatform CheckTargetID: invalid request: ID is required
}
