package purse

import (
	"context"

	"github.com/restrictkit/restrict"
)

// Restrict blocks the customer whose Calypso ID is t.ID (BlockCustomer).
// Calypso has no field for a reason, so t.Reason is only logged. The
// customer's addresses keep receiving deposits, credited to the merchant.
//
// https://docs.calypso.finance/api-reference/customer-purse-api
func (c *Client) Restrict(ctx context.Context, t restrict.Target) (*restrict.Result, error) {
	if err := checkID("Restrict", "ID", t.ID); err != nil {
		return nil, err
	}
	c.tc.LogTarget(ctx, "Restrict", t)
	cust, err := c.BlockCustomer(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	return result(restrict.ActionBlock, t.ID, cust), nil
}

// Lift unblocks the customer whose Calypso ID is t.ID (UnblockCustomer).
//
// https://docs.calypso.finance/api-reference/customer-purse-api
func (c *Client) Lift(ctx context.Context, t restrict.Target) (*restrict.Result, error) {
	if err := checkID("Lift", "ID", t.ID); err != nil {
		return nil, err
	}
	c.tc.LogTarget(ctx, "Lift", t)
	cust, err := c.UnblockCustomer(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	return result(restrict.ActionUnblock, t.ID, cust), nil
}

// result reports the state Calypso returned, not the one asked for: the
// customer object's "blocked" is the provider's word on it.
func result(action restrict.Action, id string, cust *Customer) *restrict.Result {
	state := restrict.StateActive
	if cust.Blocked {
		state = restrict.StateRestricted
	}
	return &restrict.Result{Provider: Provider, Action: action, TargetID: id, State: state, Meta: cust.Meta}
}
