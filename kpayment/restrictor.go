package kpayment

import (
	"context"
	"log/slog"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/transport"
)

// CheckTargetID is the rule Restrict applies to a target's ID before
// anything is sent: a myKaarma customer UUID, 8-4-4-4-12 hexadecimal digits
// in either case. The error matches restrict.ErrInvalidRequest and names the
// field "ID". Lift and Status send nothing whatever the ID, since myKaarma
// has neither call.
//
// myKaarma names the identifier customerUuid; that every one is written
// 8-4-4-4-12 is our inference, as its docs type it as a string and show no
// example. BlockCustomer takes any identifier that is one safe path
// segment.
func CheckTargetID(id string) error { return checkTarget("CheckTargetID", id) }

// checkTarget is CheckTargetID reporting the operation that applied it.
func checkTarget(operation, id string) error {
	if problem := transport.CheckUUID(id); problem != "" {
		return restrict.NewFieldError(Provider, operation, "ID", problem)
	}
	return nil
}

// Restrict blocks the customer t.ID (a myKaarma customer UUID, see
// CheckTargetID) from online payment with BlockCustomer, sending the body
// set by WithRestrictRequest ({"onlinePayment":true} by default). The
// result's State is restrict.StateRestricted.
//
// Restricting a customer who is blocked already succeeds the same way:
// myKaarma documents nothing about a repeated block, and we read it as
// harmless, answered with {} like the first (inferred).
//
// myKaarma has no field for a reason, so t.Reason is only logged, at Debug
// level. Warnings on the answer are logged at Warn level; call
// BlockCustomer to receive them.
//
// https://docs.mykaarma.com/API_references/payments/API/API_reference/block-customer
func (c *Client) Restrict(ctx context.Context, t restrict.Target) (*restrict.Result, error) {
	if err := checkTarget("Restrict", t.ID); err != nil {
		return nil, err
	}
	c.tc.LogTarget(ctx, "Restrict", t)
	res, err := c.BlockCustomer(ctx, t.ID, c.restrictRequest)
	if err != nil {
		return nil, err
	}
	for _, w := range res.Warnings {
		c.tc.Logger().LogAttrs(ctx, slog.LevelWarn, "restrict: warning on block",
			slog.String("provider", Provider), slog.String("target", t.ID), slog.String("code", w.Code),
			slog.String("title", w.Title), slog.String("message", w.Message), slog.String("description", w.Description))
	}
	return result(restrict.ActionBlock, t.ID, restrict.StateRestricted, res.Meta), nil
}

// result is the contract's Result of an operation on the target id.
func result(action restrict.Action, id string, state restrict.State, meta restrict.Meta) *restrict.Result {
	return &restrict.Result{Provider: Provider, Action: action, TargetID: id, State: state, Meta: meta}
}

// Lift always fails with an error matching restrict.ErrUnsupported and
// sends nothing, whatever the ID: the myKaarma Payments API publishes no
// call that unblocks a customer.
//
// https://docs.mykaarma.com/API_references/payments/API/API_reference/mykaarma-payments-api
func (c *Client) Lift(_ context.Context, _ restrict.Target) (*restrict.Result, error) {
	return nil, restrict.NewUnsupportedError(Provider, "Lift", "myKaarma Payments publishes no call that unblocks a customer")
}

// Status always fails with an error matching restrict.ErrUnsupported and
// sends nothing, whatever the ID: the myKaarma Payments API publishes no
// call that reads whether a customer is blocked.
//
// https://docs.mykaarma.com/API_references/payments/API/API_reference/mykaarma-payments-api
func (c *Client) Status(_ context.Context, _ restrict.Target) (*restrict.Result, error) {
	return nil, restrict.NewUnsupportedError(Provider, "Status", "myKaarma Payments publishes no call that reads whether a customer is blocked")
}
