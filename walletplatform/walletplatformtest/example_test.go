package walletplatformtest_test

import (
	"context"
	"fmt"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/walletplatform"
	"github.com/restrictkit/restrict/walletplatform/walletplatformtest"
)

// A test of code that freezes SABI accounts, with the fake answering in the
// XML form the docs print and the client logging in itself.
func Example() {
	srv := walletplatformtest.NewServer()
	defer srv.Close()
	srv.AddAccount("acc-1")
	srv.SetXML(true)

	c, _ := walletplatform.New(walletplatform.Credentials{
		APIKey: walletplatformtest.APIKey, Username: walletplatformtest.Username, PassID: walletplatformtest.PassID,
	}, restrict.WithBaseURL(srv.BaseURL()))
	res, err := c.Restrict(context.Background(), restrict.Target{ID: "acc-1"})
	acc, _ := srv.Account("acc-1")
	fmt.Println(err, res.State, acc.Frozen, srv.Logins())
	// Output:
	// <nil> restricted true 1
}
