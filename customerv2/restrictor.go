package customerv2

import (
	"context"
	"strings"

	"github.com/restrictkit/restrict"
)

// Restrict suspends the customer whose KunaCore ID is t.ID. KunaCore has no
// field for a reason, so t.Reason is only logged. The State is
// StateRestricted when KunaCore confirms with "success": true.
//
// https://docs.kunacore.io/docs/suspend-customer
func (c *Client) Restrict(ctx context.Context, t restrict.Target) (*restrict.Result, error) {
	if strings.TrimSpace(t.ID) == "" {
		return nil, restrict.NewFieldError(Provider, "Restrict", "ID", "is required")
	}
	c.tc.LogTarget(ctx, "Restrict", t)
	res, err := c.Suspend(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	state := restrict.StateUnknown
	if res.Success {
		state = restrict.StateRestricted
	}
	return &restrict.Result{Provider: Provider, Action: restrict.ActionSuspend, TargetID: t.ID, State: state, Meta: res.Meta}, nil
}

// Lift always fails with an error matching restrict.ErrUnsupported and
// sends nothing: KunaCore documents suspension as final, with no endpoint
// to undo it.
//
// https://docs.kunacore.io/docs/suspend-customer
func (c *Client) Lift(_ context.Context, _ restrict.Target) (*restrict.Result, error) {
	return nil, &restrict.APIError{Provider: Provider, Operation: "Lift", Class: restrict.ErrUnsupported,
		Message: "KunaCore documents no way to lift a suspension: POST /v2/customer/suspend is one-way"}
}
