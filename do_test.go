package restrict_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/restricttest"
)

func TestDoCallsTheMethodOfEachOp(t *testing.T) {
	t.Parallel()
	fake := &restricttest.Fake{Provider: "purse"}
	target := restrict.Target{ID: "c1", Reason: "court order"}
	for _, tc := range []struct {
		op     restrict.Op
		method string
		action restrict.Action
		state  restrict.State
	}{
		{restrict.OpRestrict, "Restrict", restrict.ActionBlock, restrict.StateRestricted},
		{restrict.OpStatus, "Status", "", restrict.StateRestricted},
		{restrict.OpLift, "Lift", restrict.ActionUnblock, restrict.StateActive},
	} {
		res, err := restrict.Do(context.Background(), fake, tc.op, target)
		require.NoError(t, err, tc.op)
		require.Equal(t, tc.action, res.Action, tc.op)
		require.Equal(t, tc.state, res.State, tc.op)
		calls := fake.Calls()
		require.Equal(t, restricttest.Call{Method: tc.method, Target: target}, calls[len(calls)-1])
	}
	require.Len(t, fake.Calls(), 3)
}

func TestOpValidKnowsTheThreeOperations(t *testing.T) {
	t.Parallel()
	for _, op := range []restrict.Op{restrict.OpRestrict, restrict.OpLift, restrict.OpStatus} {
		require.True(t, op.Valid(), op)
	}
	for _, op := range []restrict.Op{"", "block", "Restrict", "unfreeze"} {
		require.False(t, op.Valid(), op)
	}
}

func TestDoRefusesWhatItCannotCall(t *testing.T) {
	t.Parallel()
	fake := &restricttest.Fake{}
	_, err := restrict.Do(context.Background(), fake, "block", restrict.Target{ID: "c1"})
	require.ErrorIs(t, err, restrict.ErrInvalidRequest)
	require.Contains(t, err.Error(), `"block" is not restrict, lift or status`)
	require.Empty(t, fake.Calls())

	for _, r := range []restrict.Restrictor{nil, (*pointerRestrictor)(nil)} {
		for _, op := range []restrict.Op{restrict.OpRestrict, restrict.OpLift, restrict.OpStatus} {
			res, err := restrict.Do(context.Background(), r, op, restrict.Target{ID: "c1"})
			require.Nil(t, res)
			var pe *restrict.PanicError
			require.False(t, errors.As(err, &pe), "%T %s", r, op)
			require.ErrorIs(t, err, restrict.ErrInvalidRequest, "%T %s", r, op)
			require.Equal(t, "invalid_request", restrict.ClassName(err))
		}
	}
}

func TestDoStatusOfARestrictorThatCannotReadIsUnsupported(t *testing.T) {
	t.Parallel()
	_, err := restrict.Do(context.Background(), ok("plain", 0), restrict.OpStatus, restrict.Target{ID: "c1"})
	require.ErrorIs(t, err, restrict.ErrUnsupported)
	require.ErrorIs(t, err, errors.ErrUnsupported)
	require.Contains(t, err.Error(), "restrict_test.stub does not implement restrict.Checker")
}

func TestDoContainsAPanic(t *testing.T) {
	t.Parallel()
	boom := stub{lift: func(context.Context, restrict.Target) (*restrict.Result, error) { panic("provider bug") }}
	res, err := restrict.Do(context.Background(), boom, restrict.OpLift, restrict.Target{ID: "c1"})
	require.Nil(t, res)
	var pe *restrict.PanicError
	require.ErrorAs(t, err, &pe)
	require.Equal(t, "provider bug", pe.Value)
	require.Contains(t, string(pe.Stack), "TestDoContainsAPanic")
}

func TestDoTrustsNoHalfAnswer(t *testing.T) {
	t.Parallel()
	silent := stub{restrict: func(context.Context, restrict.Target) (*restrict.Result, error) { return nil, nil }}
	res, err := restrict.Do(context.Background(), silent, restrict.OpRestrict, restrict.Target{ID: "c1"})
	require.Nil(t, res)
	var ae *restrict.APIError
	require.ErrorAs(t, err, &ae)
	require.ErrorIs(t, err, restrict.ErrUnavailable)
	require.Equal(t, "Restrict", ae.Operation)

	// A result beside an error is not a result: callers read one or the other.
	both := stub{restrict: func(_ context.Context, t restrict.Target) (*restrict.Result, error) {
		return &restrict.Result{TargetID: t.ID, State: restrict.StateRestricted}, restrict.ErrConflict
	}}
	res, err = restrict.Do(context.Background(), both, restrict.OpRestrict, restrict.Target{ID: "c1"})
	require.Nil(t, res)
	require.ErrorIs(t, err, restrict.ErrConflict)
}
