package purse_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/testkit"
	"github.com/restrictkit/restrict/purse"
	"github.com/restrictkit/restrict/restricttest"
)

func TestCheckTargetID(t *testing.T) {
	t.Parallel()
	for _, id := range []string{custID, strings.ToUpper(custID), unknownID} {
		require.NoError(t, purse.CheckTargetID(id), id)
	}
	for _, id := range []string{"", "  ", "user-1", custID + "0", "7b5c1f0e_2a3d_4e5f_8a9b_0c1d2e3f4a5b", "../../admin", "a\nb", strings.Repeat("9", 300)} {
		requireFieldError(t, purse.CheckTargetID(id), "CheckTargetID", "ID")
	}
}

// TestContractRefusesBadIDs: Restrict, Lift and Status apply
// CheckTargetID first, report their own operation, and send nothing.
func TestContractRefusesBadIDs(t *testing.T) {
	t.Parallel()
	c, mt, _ := newMocked(t, []testkit.Answer{{Status: 200, Body: customerJSON}})
	calls := map[string]func(context.Context, restrict.Target) (*restrict.Result, error){"Restrict": c.Restrict, "Lift": c.Lift, "Status": c.Status}
	for op, call := range calls {
		for _, id := range []string{"", "user-1", "../customer/unblock"} {
			res, err := call(ctx(), restrict.Target{ID: id})
			require.Nil(t, res)
			requireFieldError(t, err, op, "ID")
		}
	}
	require.Zero(t, mt.GetTotalCallCount())
}

func TestContractWire(t *testing.T) {
	t.Parallel()
	ok := restrict.Meta{StatusCode: 200, Attempts: 1}
	for _, tc := range []struct {
		name   string
		call   func(*purse.Client) (*restrict.Result, error)
		path   string
		answer string
		want   restrict.Result
	}{
		{"Restrict", func(c *purse.Client) (*restrict.Result, error) {
			return c.Restrict(ctx(), restrict.Target{ID: custID, Reason: "chargeback"})
		},
			"/customer/block", blockedJSON,
			restrict.Result{Provider: purse.Provider, Action: restrict.ActionBlock, TargetID: custID, State: restrict.StateRestricted, Meta: ok}},
		{"Lift", func(c *purse.Client) (*restrict.Result, error) { return c.Lift(ctx(), restrict.Target{ID: custID}) },
			"/customer/unblock", customerJSON,
			restrict.Result{Provider: purse.Provider, Action: restrict.ActionUnblock, TargetID: custID, State: restrict.StateActive, Meta: ok}},
		{"StatusBlocked", func(c *purse.Client) (*restrict.Result, error) { return c.Status(ctx(), restrict.Target{ID: custID}) },
			"/customer/get", blockedJSON,
			restrict.Result{Provider: purse.Provider, TargetID: custID, State: restrict.StateRestricted, Meta: ok}},
		{"StatusActive", func(c *purse.Client) (*restrict.Result, error) { return c.Status(ctx(), restrict.Target{ID: custID}) },
			"/customer/get", customerJSON,
			restrict.Result{Provider: purse.Provider, TargetID: custID, State: restrict.StateActive, Meta: ok}},
		// The state is the one Calypso returned, not the one asked for.
		{"RestrictAnsweredNotBlocked", func(c *purse.Client) (*restrict.Result, error) { return c.Restrict(ctx(), restrict.Target{ID: custID}) },
			"/customer/block", customerJSON,
			restrict.Result{Provider: purse.Provider, Action: restrict.ActionBlock, TargetID: custID, State: restrict.StateActive, Meta: ok}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, _, rec := newMocked(t, []testkit.Answer{{Status: 200, Body: tc.answer}})
			res, err := tc.call(c)
			require.NoError(t, err)
			require.Equal(t, &tc.want, res)
			reqs := rec.Requests()
			require.Len(t, reqs, 1)
			requireSignedEnvelope(t, reqs[0], tc.path, `{"customerId":"`+custID+`"}`)
		})
	}
}

// TestContractErrorsNameTheNativeCall: a refusal by Calypso is reported by
// the native call that met it, with Calypso's code.
func TestContractErrorsNameTheNativeCall(t *testing.T) {
	t.Parallel()
	c, _, _ := newMocked(t, []testkit.Answer{{Status: 400, Body: `{"errorCode":"004","message":"Not found"}`}}, noRetry)
	for op, call := range map[string]func(context.Context, restrict.Target) (*restrict.Result, error){
		"BlockCustomer": c.Restrict, "UnblockCustomer": c.Lift, "GetCustomer": c.Status,
	} {
		res, err := call(ctx(), restrict.Target{ID: custID})
		require.Nil(t, res)
		require.ErrorIs(t, err, restrict.ErrNotFound)
		var ae *restrict.APIError
		require.ErrorAs(t, err, &ae)
		require.Equal(t, op, ae.Operation)
		require.Equal(t, "004", ae.Code)
	}
}

// TestRestrictAndLiftAreIdempotent: against the fake, which answers a
// repeat with the customer unchanged, a second Restrict or Lift succeeds
// with the state the customer is in, and Status reads it back.
func TestRestrictAndLiftAreIdempotent(t *testing.T) {
	t.Parallel()
	c, srv := newFake(t)
	cust := srv.AddCustomer(purse.Customer{Email: "a@b.c"})
	target := restrict.Target{ID: cust.ID}
	for _, step := range []struct {
		call func(context.Context, restrict.Target) (*restrict.Result, error)
		want restrict.State
	}{
		{c.Status, restrict.StateActive},
		{c.Lift, restrict.StateActive},
		{c.Restrict, restrict.StateRestricted},
		{c.Restrict, restrict.StateRestricted},
		{c.Status, restrict.StateRestricted},
		{c.Lift, restrict.StateActive},
		{c.Lift, restrict.StateActive},
		{c.Status, restrict.StateActive},
	} {
		res, err := step.call(ctx(), target)
		require.NoError(t, err)
		require.Equal(t, step.want, res.State)
	}
	require.Equal(t, 8, srv.Requests())
}

// TestFakeRestrictorAppliesTheSameIDRule: a consumer's in-memory fake with
// CheckTargetID refuses what this client refuses.
func TestFakeRestrictorAppliesTheSameIDRule(t *testing.T) {
	t.Parallel()
	f := &restricttest.Fake{Provider: purse.Provider, CheckID: purse.CheckTargetID}
	_, err := f.Restrict(ctx(), restrict.Target{ID: "user-1"})
	require.ErrorIs(t, err, restrict.ErrInvalidRequest)
	res, err := f.Restrict(ctx(), restrict.Target{ID: custID})
	require.NoError(t, err)
	require.Equal(t, restrict.StateRestricted, res.State)
}
