package purse

import (
	"context"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/transport"
)

// CheckTargetID is the rule Restrict, Lift and Status apply to a target's
// ID before anything is sent: a Calypso customer ID, which Calypso
// documents as a UUID (8-4-4-4-12 hexadecimal digits). Its error is an
// *restrict.APIError matching restrict.ErrInvalidRequest that names the
// field "ID". A merchant's external ID is not accepted: look the customer
// up with GetCustomerByExternalID first.
func CheckTargetID(id string) error { return checkTarget("CheckTargetID", id) }

// checkTarget is CheckTargetID reporting the operation that applied it.
func checkTarget(operation, id string) error {
	if p := transport.CheckUUID(id); p != "" {
		return restrict.NewFieldError(Provider, operation, "ID", p)
	}
	return nil
}

// Restrict blocks the customer whose Calypso customer ID (a UUID) is t.ID,
// through BlockCustomer, and reports the state Calypso returned. Calypso
// has no field for a reason, so t.Reason is only logged. The customer's
// addresses keep receiving deposits, credited to the merchant.
//
// Restricting a blocked customer succeeds with StateRestricted: Calypso
// answers block with the customer and its blocked flag, so a repeat is
// taken to answer blocked: true. The docs do not say how a repeat is
// answered; that it is accepted is inferred.
//
// https://docs.calypso.finance/api-reference/customer-purse-api
func (c *Client) Restrict(ctx context.Context, t restrict.Target) (*restrict.Result, error) {
	if err := checkTarget("Restrict", t.ID); err != nil {
		return nil, err
	}
	c.tc.LogTarget(ctx, "Restrict", t)
	cust, err := c.BlockCustomer(ctx, BlockCustomerRequest{CustomerID: t.ID})
	if err != nil {
		return nil, err
	}
	return result(restrict.ActionBlock, t.ID, stateOf(cust.Blocked), cust.Meta), nil
}

// Lift unblocks the customer whose Calypso customer ID (a UUID) is t.ID,
// through UnblockCustomer, and reports the state Calypso returned. Lifting
// an active customer succeeds with StateActive, on the same inference as
// Restrict: the answer is the customer, blocked: false.
//
// https://docs.calypso.finance/api-reference/customer-purse-api
func (c *Client) Lift(ctx context.Context, t restrict.Target) (*restrict.Result, error) {
	if err := checkTarget("Lift", t.ID); err != nil {
		return nil, err
	}
	c.tc.LogTarget(ctx, "Lift", t)
	cust, err := c.UnblockCustomer(ctx, UnblockCustomerRequest{CustomerID: t.ID})
	if err != nil {
		return nil, err
	}
	return result(restrict.ActionUnblock, t.ID, stateOf(cust.Blocked), cust.Meta), nil
}

// Status reads the customer whose Calypso customer ID (a UUID) is t.ID,
// through GetCustomer: blocked: true is StateRestricted, false
// StateActive. Result.Action is empty, since nothing was done.
//
// https://docs.calypso.finance/api-reference/customer-purse-api
func (c *Client) Status(ctx context.Context, t restrict.Target) (*restrict.Result, error) {
	if err := checkTarget("Status", t.ID); err != nil {
		return nil, err
	}
	cust, err := c.GetCustomer(ctx, GetCustomerRequest{CustomerID: t.ID})
	if err != nil {
		return nil, err
	}
	return result("", t.ID, stateOf(cust.Blocked), cust.Meta), nil
}

// result is the contract's Result of an operation on the target id.
func result(action restrict.Action, id string, state restrict.State, meta restrict.Meta) *restrict.Result {
	return &restrict.Result{Provider: Provider, Action: action, TargetID: id, State: state, Meta: meta}
}

// stateOf reads the customer's blocked flag: a result reports the state
// Calypso returned, not the one asked for, since the customer object is the
// provider's word on it.
func stateOf(blocked bool) restrict.State {
	if blocked {
		return restrict.StateRestricted
	}
	return restrict.StateActive
}
