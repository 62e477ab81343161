package walletplatform_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/walletplatform"
	"github.com/restrictkit/restrict/walletplatform/walletplatformtest"
)

// Freeze an account through the Restrictor interface, look it up, and
// unfreeze it. The fake stands in for http://20.87.230.105/platform/wallets,
// which would also need restrict.WithInsecureHTTP().
func Example() {
	srv := walletplatformtest.NewServer()
	defer srv.Close()
	srv.AddAccount("8f0c6e2a-acc1")

	c, err := walletplatform.New(walletplatform.Credentials{
		APIKey:   walletplatformtest.APIKey,
		Username: walletplatformtest.Username,
		PassID:   walletplatformtest.PassID,
	}, restrict.WithBaseURL(srv.BaseURL()))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()

	res, err := c.Restrict(ctx, restrict.Target{ID: "8f0c6e2a-acc1", Reason: "chargeback"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Action, res.TargetID, res.State)

	acc, err := c.GetAccount(ctx, "8f0c6e2a-acc1")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(acc.UUID, acc.Status)

	res, err = c.Lift(ctx, restrict.Target{ID: "8f0c6e2a-acc1"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Action, res.TargetID, res.State)
	// Output:
	// freeze 8f0c6e2a-acc1 restricted
	// 8f0c6e2a-acc1 FROZEN
	// unfreeze 8f0c6e2a-acc1 active
}

// A refusal matches a class with errors.Is and carries the provider's own
// words.
func ExampleClient_FreezeAccount() {
	srv := walletplatformtest.NewServer()
	defer srv.Close()

	c, err := walletplatform.New(walletplatform.Credentials{
		APIKey: walletplatformtest.APIKey,
		Token:  restrict.Secret(srv.IssueToken()),
	}, restrict.WithBaseURL(srv.BaseURL()))
	if err != nil {
		fmt.Println(err)
		return
	}

	_, err = c.FreezeAccount(context.Background(), "no-such-account")
	var ae *restrict.APIError
	if errors.As(err, &ae) {
		fmt.Println(errors.Is(err, restrict.ErrNotFound), ae.StatusCode, ae.Message)
	}
	// Output:
	// true 404 Account id not found
}

// The documented host is plain http on a bare IP: New refuses it unless
// the caller accepts clear text.
func ExampleNew_insecureHTTP() {
	creds := walletplatform.Credentials{APIKey: "key", Username: "tech@example.com", PassID: "pass"}
	const documented = "http://20.87.230.105/platform/wallets"

	_, err := walletplatform.New(creds, restrict.WithBaseURL(documented))
	fmt.Println(errors.Is(err, restrict.ErrInvalidRequest))

	_, err = walletplatform.New(creds, restrict.WithBaseURL(documented), restrict.WithInsecureHTTP())
	fmt.Println(err)
	// Output:
	// true
	// <nil>
}
