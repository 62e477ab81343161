package restrict_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/jarcoal/httpmock"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/kpayment"
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
	fmt.Println("lift failed somewhere:", report.Err() != nil)
	for _, o := range report.Unsupported() {
		fmt.Println("no lift at", o.Name)
	}
	// Output:
	// purse block restricted
	// cryptomus block restricted
	// lift failed somewhere: false
	// no lift at cryptomus
}

// Call one Restrictor the way RestrictAll does, in a loop of your own: Do
// checks the operation and the restrictor, turns a panic or a result-less
// answer into an error, and says when the provider cannot read a state.
func ExampleDo() {
	ctx := context.Background()
	purse := &restricttest.Fake{Provider: "purse"}
	target := restrict.Target{ID: "cust-1", Reason: "court order 2026/117"}

	for _, op := range []restrict.Op{restrict.OpRestrict, restrict.OpStatus} {
		res, err := restrict.Do(ctx, purse, op, target)
		if err != nil {
			fmt.Println(op, "failed:", err)
			continue
		}
		fmt.Println(op, res.Action, res.State)
	}

	// A Restrictor that is not a Checker has no status to read.
	var restrictOnly restrict.Restrictor = struct{ restrict.Restrictor }{purse}
	_, err := restrict.Do(ctx, restrictOnly, restrict.OpStatus, target)
	fmt.Println(errors.Is(err, restrict.ErrUnsupported))
	// Output:
	// restrict block restricted
	// status  restricted
	// true
}

// A report marshals to an audit record: one object per binding, with its
// target, what was asked and what the provider did, the HTTP proof, and for
// a failure its class, code and message.
func ExampleReport_json() {
	ctx := context.Background()
	purse := &restricttest.Fake{Provider: "purse"}
	kaarma := &restricttest.Fake{Provider: "kpayment", NoLift: true}
	purse.FailWith("cust-2", &restrict.APIError{Provider: "purse", Operation: "BlockCustomer", StatusCode: 400,
		Code: "004", Message: "Customer not found", Attempts: 1, Class: restrict.ErrNotFound})
	report := restrict.RestrictAll(ctx,
		restrict.Binding{Name: "purse", Restrictor: purse, Target: restrict.Target{ID: "cust-1", Reason: "sanctions hit"}},
		restrict.Binding{Name: "purse-eu", Restrictor: purse, Target: restrict.Target{ID: "cust-2"}},
		restrict.Binding{Name: "kpayment", Restrictor: kaarma, Target: restrict.Target{ID: "cust-3"}},
	)
	for i := range report.Outcomes {
		report.Outcomes[i].Duration = 0 // for a stable example
	}
	out, _ := json.MarshalIndent(report.Outcomes[:2], "", "  ")
	fmt.Println(string(out))
	// Output:
	// [
	//   {
	//     "name": "purse",
	//     "provider": "purse",
	//     "target": "cust-1",
	//     "reason": "sanctions hit",
	//     "action": "restrict",
	//     "provider_action": "block",
	//     "state": "restricted",
	//     "status_code": 200,
	//     "request_id": "",
	//     "attempts": 1,
	//     "duration_ms": 0,
	//     "error": null
	//   },
	//   {
	//     "name": "purse-eu",
	//     "provider": "purse",
	//     "target": "cust-2",
	//     "reason": "",
	//     "action": "restrict",
	//     "provider_action": "",
	//     "state": "unknown",
	//     "status_code": 400,
	//     "request_id": "",
	//     "attempts": 1,
	//     "duration_ms": 0,
	//     "error": {
	//       "provider": "purse",
	//       "operation": "BlockCustomer",
	//       "class": "not_found",
	//       "status_code": 400,
	//       "code": "004",
	//       "message": "Customer not found",
	//       "fields": null,
	//       "retry_after_ms": 0,
	//       "attempts": 1,
	//       "request_id": "",
	//       "cause": ""
	//     }
	//   }
	// ]
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

// Test your own code against a provider's API without a network: hand the
// client an http.Client whose Transport httpmock replaces. Activate it on
// the client you pass, before New: WithHTTPClient copies the client, so a
// transport swapped in afterwards is never seen. (An httpmock.MockTransport
// passed with restricttest.WithTransport does the same in one option,
// without httpmock's global state, and lets tests run in parallel.) The client's
// Timeout bounds each attempt; give the call's context a deadline to bound
// the whole call, retries included.
func ExampleWithHTTPClient() {
	hc := &http.Client{Timeout: 10 * time.Second}
	httpmock.ActivateNonDefault(hc)
	defer httpmock.DeactivateAndReset()
	const customer = "0e4b8c4c-7d3f-4b8e-9d7a-3f0c5b9e2a11"
	httpmock.RegisterResponder(http.MethodPost, "https://api.mykaarma.com/payment/kpayment/v1/customer/"+customer+"/block",
		httpmock.NewStringResponder(http.StatusOK, `{}`))

	client, err := kpayment.New(kpayment.Credentials{Username: "subscriber", Password: "pw-from-your-vault"},
		restrict.WithHTTPClient(hc))
	if err != nil {
		panic(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := client.Restrict(ctx, restrict.Target{ID: customer})
	fmt.Println(res.State, res.StatusCode, err)
	fmt.Println("requests:", httpmock.GetTotalCallCount())
	// Output:
	// restricted 200 <nil>
	// requests: 1
}
