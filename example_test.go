package restrict_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/restricttest"
)

// Restrict a customer at several providers at once, then lift where the
// provider allows it. The restrictors here are in-memory fakes; in
// production they are provider clients such as purse.New(...).
func ExampleRestrictAll() {
	ctx := context.Background()
	purse := &restricttest.Fake{Provider: "purse"}
	crypto := &restricttest.Fake{Provider: "cryptomus", NoLift: true}
	bindings := []restrict.Binding{
		{Name: "purse", Restrictor: purse, Target: restrict.Target{ID: "cust-1", Reason: "court order 2026/117"}},
		{Name: "cryptomus", Restrictor: crypto, Target: restrict.Target{ID: "order-1"}},
	}

	report := restrict.RestrictAll(ctx, bindings...)
	for _, o := range report.Outcomes {
		fmt.Println(o.Name, o.Result.Action, o.Result.State)
	}

	report = restrict.LiftAll(ctx, bindings...)
	err := report.Err()
	fmt.Println("lift failed somewhere:", err != nil)
	fmt.Println("only because a provider has no lift:", errors.Is(err, restrict.ErrUnsupported) && len(report.Failed()) == 1)
	// Output:
	// purse block restricted
	// cryptomus block restricted
	// lift failed somewhere: true
	// only because a provider has no lift: true
}

// Errors are tested by class, whatever the provider's own code was.
func ExampleAPIError() {
	var err error = &restrict.APIError{Provider: "purse", Operation: "BlockCustomer", StatusCode: 400, Code: "004", Message: "Not found", Class: restrict.ErrNotFound}

	fmt.Println(errors.Is(err, restrict.ErrNotFound))
	var apiErr *restrict.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.Code, apiErr.Retryable())
	}
	fmt.Println(err)
	// Output:
	// true
	// 004 false
	// restrict: purse BlockCustomer: HTTP 400 code "004": Not found
}

// Secret keeps credentials out of logs and error reports.
func ExampleSecret() {
	creds := struct {
		Account string
		Secret  restrict.Secret
	}{"0xabc", "b823a6b9ea72408583cef9ec8d67fa52"}
	fmt.Printf("%+v\n", creds)
	// Output:
	// {Account:0xabc Secret:[REDACTED]}
}
