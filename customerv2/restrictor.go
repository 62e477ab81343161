package customerv2

import (
	"context"
	"strings"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/transport"
)

// CheckTargetID reports whether id can name a target of Restrict and
// Status: a KunaCore customer ID, which KunaCore's docs give as a UUID
// ("6d962783-f0cf-420d-a511-3a48c71c5595"). Its error matches
// restrict.ErrInvalidRequest and names the field "ID".
func CheckTargetID(id string) error { return checkTarget("CheckTargetID", id) }

// checkTarget is CheckTargetID reporting the operation that applied it.
func checkTarget(op, id string) error {
	if p := transport.CheckUUID(id); p != "" {
		return restrict.NewFieldError(Provider, op, "ID", p)
	}
	return nil
}

// Restrict suspends the customer whose KunaCore customer ID (a UUID) is
// t.ID, through Suspend. KunaCore has no field for a reason, so t.Reason is
// only logged. The State is StateRestricted once KunaCore answers
// "success": true.
//
// Restricting a customer suspended already succeeds with StateRestricted.
// What KunaCore answers then is not documented: it is inferred to answer
// "success": true again, or to refuse with a message saying the customer
// is already suspended [I]. Such a refusal (a "success": false, a 400
// or a 409) whose message holds both "already" and "suspend" is taken as
// success.
//
// https://docs.kunacore.io/docs/suspend-customer
func (c *Client) Restrict(ctx context.Context, t restrict.Target) (*restrict.Result, error) {
	if err := checkTarget("Restrict", t.ID); err != nil {
		return nil, err
	}
	c.tc.LogTarget(ctx, "Restrict", t)
	res, err := c.Suspend(ctx, SuspendRequest{ID: t.ID})
	if err != nil {
		meta, ok := transport.AlreadyInState(err, "Suspend", alreadySuspended)
		if !ok {
			return nil, err
		}
		return result(restrict.ActionSuspend, t.ID, restrict.StateRestricted, meta), nil
	}
	return result(restrict.ActionSuspend, t.ID, restrict.StateRestricted, res.Meta), nil
}

// alreadySuspended matches KunaCore's inferred refusal of a second
// suspension: a message saying the customer is already suspended, in any
// wording ("already suspended", "has already been suspended").
func alreadySuspended(msg string) bool {
	return strings.Contains(msg, "already") && strings.Contains(msg, "suspend")
}

// Lift always fails with an error matching restrict.ErrUnsupported and
// sends nothing: KunaCore documents suspension as final, with no endpoint
// to undo it. As at every provider without a lift, the target is not even
// checked: no ID could make the call possible.
//
// https://docs.kunacore.io/docs/suspend-customer
func (c *Client) Lift(_ context.Context, _ restrict.Target) (*restrict.Result, error) {
	return nil, restrict.NewUnsupportedError(Provider, "Lift",
		"KunaCore documents no way to lift a suspension: POST /v2/customer/suspend is one-way")
}

// Status reads the customer whose KunaCore customer ID (a UUID) is t.ID
// back through CustomerDetails. Status Suspended is StateRestricted and
// Active is StateActive [C]. A wallet Blocked or Suspicious is also
// StateRestricted: KunaCore says only that such a status is set through
// update and that a partner cannot undo it when Kuna set it, so that the
// customer cannot transact then is inferred [I]. Any other status is
// StateUnknown.
//
// https://docs.kunacore.io/docs/details-of-customer
func (c *Client) Status(ctx context.Context, t restrict.Target) (*restrict.Result, error) {
	if err := checkTarget("Status", t.ID); err != nil {
		return nil, err
	}
	cust, err := c.CustomerDetails(ctx, CustomerDetailsRequest{ID: t.ID})
	if err != nil {
		return nil, err
	}
	return result("", t.ID, stateOf(cust.Status), cust.Meta), nil
}

// result is the contract's Result of an operation on the target id.
func result(action restrict.Action, id string, state restrict.State, meta restrict.Meta) *restrict.Result {
	return &restrict.Result{Provider: Provider, Action: action, TargetID: id, State: state, Meta: meta}
}

// stateOf maps a KunaCore status to the contract's state. The spelling of
// the statuses on the wire is inferred from KunaCore's prose, so case is
// ignored.
func stateOf(s Status) restrict.State {
	for _, r := range []Status{StatusSuspended, StatusBlocked, StatusSuspicious} {
		if strings.EqualFold(string(s), string(r)) {
			return restrict.StateRestricted
		}
	}
	if strings.EqualFold(string(s), string(StatusActive)) {
		return restrict.StateActive
	}
	return restrict.StateUnknown
}
