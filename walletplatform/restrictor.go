package walletplatform

import (
	"context"
	"strings"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/transport"
)

var (
	_ restrict.Restrictor = (*Client)(nil)
	_ restrict.Checker    = (*Client)(nil)
)

// CheckTargetID is the rule Restrict, Lift and Status apply to Target.ID
// before anything is sent: the account ID must not be blank, longer than
// 256 bytes or hold control characters (its form is not documented), and,
// since Status sends it in GetAccount's path, it must be one path segment:
// no "/", "\" or "..". Restrict and Lift, which send it in a JSON body,
// apply the same rule, so that an ID is checked once for all three and a
// target that can be frozen can also be read back. Its error matches
// restrict.ErrInvalidRequest and names the field "ID".
func CheckTargetID(id string) error { return checkTarget("CheckTargetID", id) }

// checkTarget is CheckTargetID reporting the operation that applied it.
func checkTarget(op, id string) error {
	if problem := transport.CheckPathSegment(id); problem != "" {
		return restrict.NewFieldError(Provider, op, "ID", problem)
	}
	return nil
}

// Restrict freezes the account t.ID names (FreezeAccount); t.ID is the
// account ID, its UUID, under CheckTargetID's rule. The platform has no
// field for a reason; t.Reason is only logged, at debug level.
//
// Freezing a frozen account succeeds with restrict.StateRestricted. What
// the platform answers then is not documented; inferred: a success, or a
// refusal whose message says "already frozen", which is taken as success.
//
// Docs: https://sabi-docs.netlify.app ("Freeze or Unfreeze Account")
func (c *Client) Restrict(ctx context.Context, t restrict.Target) (*restrict.Result, error) {
	if err := checkTarget("Restrict", t.ID); err != nil {
		return nil, err
	}
	c.tc.LogTarget(ctx, "Restrict", t)
	res, err := c.FreezeAccount(ctx, FreezeAccountRequest{AccountID: t.ID})
	if err != nil {
		meta, ok := transport.AlreadyInState(err, "FreezeAccount", saying("already frozen"))
		if !ok {
			return nil, err
		}
		return result(restrict.ActionFreeze, t.ID, restrict.StateRestricted, meta), nil
	}
	return result(restrict.ActionFreeze, t.ID, restrict.StateRestricted, res.Meta), nil
}

// Lift unfreezes the account t.ID names (UnfreezeAccount), under
// CheckTargetID's rule. t.Reason is only logged, at debug level.
//
// Unfreezing an account that is not frozen succeeds with
// restrict.StateActive. What the platform answers then is not documented;
// inferred: a success, or a refusal whose message says "already
// unfrozen", "already active" or "not frozen", which is taken as success.
//
// Docs: https://sabi-docs.netlify.app ("Freeze or Unfreeze Account")
func (c *Client) Lift(ctx context.Context, t restrict.Target) (*restrict.Result, error) {
	if err := checkTarget("Lift", t.ID); err != nil {
		return nil, err
	}
	c.tc.LogTarget(ctx, "Lift", t)
	res, err := c.UnfreezeAccount(ctx, UnfreezeAccountRequest{AccountID: t.ID})
	if err != nil {
		meta, ok := transport.AlreadyInState(err, "UnfreezeAccount", saying("already unfrozen", "already active", "not frozen"))
		if !ok {
			return nil, err
		}
		return result(restrict.ActionUnfreeze, t.ID, restrict.StateActive, meta), nil
	}
	return result(restrict.ActionUnfreeze, t.ID, restrict.StateActive, res.Meta), nil
}

// Status reads the account t.ID names back (GetAccount), under
// CheckTargetID's rule. The account's status values are not documented;
// inferred: a status holding "frozen" or "freeze" (in any case) is
// restrict.StateRestricted, one holding "active" is restrict.StateActive
// ("unfrozen" and "unfreeze" count as active, "inactive" as unknown), and
// any other, or none, is restrict.StateUnknown.
//
// Docs: https://sabi-docs.netlify.app/api/wallet/account%20management/get_single_account
func (c *Client) Status(ctx context.Context, t restrict.Target) (*restrict.Result, error) {
	if err := checkTarget("Status", t.ID); err != nil {
		return nil, err
	}
	acc, err := c.GetAccount(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	return result("", t.ID, stateOf(acc.Status), acc.Meta), nil
}

// result is the contract's Result of an operation on the target id.
func result(action restrict.Action, id string, state restrict.State, meta restrict.Meta) *restrict.Result {
	return &restrict.Result{Provider: Provider, Action: action, TargetID: id, State: state, Meta: meta}
}

// saying matches a refusal whose message holds one of the phrases.
func saying(phrases ...string) func(string) bool {
	return func(msg string) bool {
		for _, p := range phrases {
			if strings.Contains(msg, p) {
				return true
			}
		}
		return false
	}
}

// stateOf reads an account's status; see Status.
func stateOf(status string) restrict.State {
	s := strings.ToLower(status)
	switch {
	case strings.Contains(s, "unfroz"), strings.Contains(s, "unfreez"):
		return restrict.StateActive
	case strings.Contains(s, "frozen"), strings.Contains(s, "freeze"):
		return restrict.StateRestricted
	case strings.Contains(s, "inactive"):
		return restrict.StateUnknown
	case strings.Contains(s, "active"):
		return restrict.StateActive
	}
	return restrict.StateUnknown
}
