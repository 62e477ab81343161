package walletplatform

import (
	"context"

	"github.com/restrictkit/restrict"
)

// Restrict freezes the account t.ID names (FreezeAccount). The platform has
// no field for a reason; t.Reason is only logged, at debug level.
//
// https://sabi-docs.netlify.app ("Freeze or Unfreeze Account")
func (c *Client) Restrict(ctx context.Context, t restrict.Target) (*restrict.Result, error) {
	if problem := checkID(t.ID); problem != "" {
		return nil, restrict.NewFieldError(Provider, "Restrict", "ID", problem)
	}
	c.tc.LogTarget(ctx, "Restrict", t)
	res, err := c.FreezeAccount(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	return &restrict.Result{Provider: Provider, Action: restrict.ActionFreeze, TargetID: t.ID,
		State: restrict.StateRestricted, Meta: res.Meta}, nil
}

// Lift unfreezes the account t.ID names (UnfreezeAccount). t.Reason is only
// logged, at debug level.
//
// https://sabi-docs.netlify.app ("Freeze or Unfreeze Account")
func (c *Client) Lift(ctx context.Context, t restrict.Target) (*restrict.Result, error) {
	if problem := checkID(t.ID); problem != "" {
		return nil, restrict.NewFieldError(Provider, "Lift", "ID", problem)
	}
	c.tc.LogTarget(ctx, "Lift", t)
	res, err := c.UnfreezeAccount(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	return &restrict.Result{Provider: Provider, Action: restrict.ActionUnfreeze, TargetID: t.ID,
		State: restrict.StateActive, Meta: res.Meta}, nil
}
