package restrict_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
)

// stub is a Restrictor whose answers are functions, so each test says
// exactly what happens.
type stub struct {
	restrict func(context.Context, restrict.Target) (*restrict.Result, error)
	lift     func(context.Context, restrict.Target) (*restrict.Result, error)
}

func (s stub) Restrict(ctx context.Context, t restrict.Target) (*restrict.Result, error) {
	return s.restrict(ctx, t)
}

func (s stub) Lift(ctx context.Context, t restrict.Target) (*restrict.Result, error) {
	return s.lift(ctx, t)
}

func ok(name string, delay time.Duration) stub {
	answer := func(ctx context.Context, t restrict.Target) (*restrict.Result, error) {
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		return &restrict.Result{Provider: name, Action: restrict.ActionBlock, TargetID: t.ID, State: restrict.StateRestricted}, nil
	}
	return stub{restrict: answer, lift: answer}
}

func TestRestrictAllKeepsOrderAndRunsConcurrently(t *testing.T) {
	t.Parallel()
	names := []string{"a", "b", "c", "d", "e"}
	var bindings []restrict.Binding
	for i, n := range names {
		// The first binding is the slowest, so completion order differs
		// from the order given.
		bindings = append(bindings, restrict.Binding{Name: n, Restrictor: ok(n, time.Duration(100-i*10)*time.Millisecond), Target: restrict.Target{ID: "id-" + n}})
	}
	start := time.Now()
	report := restrict.RestrictAll(context.Background(), bindings...)
	elapsed := time.Since(start)
	require.NoError(t, report.Err())
	require.Len(t, report.Outcomes, 5)
	for i, o := range report.Outcomes {
		require.Equal(t, names[i], o.Name)
		require.Equal(t, "id-"+names[i], o.Result.TargetID)
		require.GreaterOrEqual(t, o.Duration, 50*time.Millisecond)
	}
	// The sum is 400 ms; concurrent, it is the slowest (100 ms). The margin
	// is generous so a loaded machine cannot flake it.
	require.Less(t, elapsed, 350*time.Millisecond)
}

func TestRestrictAllNeverStopsAtTheFirstFailure(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	fail := func(err error) stub {
		f := func(context.Context, restrict.Target) (*restrict.Result, error) { calls.Add(1); return nil, err }
		return stub{restrict: f, lift: f}
	}
	notFound := &restrict.APIError{Provider: "purse", Operation: "BlockCustomer", StatusCode: 400, Code: "004", Class: restrict.ErrNotFound}
	report := restrict.RestrictAll(context.Background(),
		restrict.Binding{Name: "first", Restrictor: fail(notFound)},
		restrict.Binding{Name: "second", Restrictor: ok("second", 0), Target: restrict.Target{ID: "x"}},
		restrict.Binding{Name: "third", Restrictor: fail(errors.New("boom"))},
		restrict.Binding{Name: "nil"},
	)
	require.EqualValues(t, 2, calls.Load())
	require.Nil(t, report.Outcomes[0].Result)
	require.NotNil(t, report.Outcomes[1].Result)
	require.Len(t, report.Failed(), 3)

	err := report.Err()
	require.ErrorIs(t, err, restrict.ErrNotFound)
	require.ErrorIs(t, err, restrict.ErrInvalidRequest, "a nil restrictor is the caller's mistake")
	require.NotErrorIs(t, err, restrict.ErrUnavailable)
	var ae *restrict.APIError
	require.ErrorAs(t, err, &ae)
	require.Equal(t, "004", ae.Code)
	var be *restrict.BindingError
	require.ErrorAs(t, err, &be)
	require.Equal(t, "first", be.Name)
	require.Contains(t, err.Error(), "first: ")
	require.Contains(t, err.Error(), "third: boom")
}

func TestLiftAllReportsUnsupportedLifts(t *testing.T) {
	t.Parallel()
	noLift := ok("cryptomus", 0)
	noLift.lift = func(context.Context, restrict.Target) (*restrict.Result, error) {
		return nil, &restrict.APIError{Provider: "cryptomus", Operation: "Lift", Class: restrict.ErrUnsupported}
	}
	report := restrict.LiftAll(context.Background(),
		restrict.Binding{Name: "purse", Restrictor: ok("purse", 0), Target: restrict.Target{ID: "c"}},
		restrict.Binding{Name: "cryptomus", Restrictor: noLift, Target: restrict.Target{ID: "w"}},
	)
	require.NoError(t, report.Outcomes[0].Err)
	require.ErrorIs(t, report.Err(), restrict.ErrUnsupported)
	require.ErrorIs(t, report.Err(), errors.ErrUnsupported)
}

func TestAPanicStaysInItsBinding(t *testing.T) {
	t.Parallel()
	boom := stub{restrict: func(context.Context, restrict.Target) (*restrict.Result, error) { panic("provider bug") }}
	report := restrict.RestrictAll(context.Background(),
		restrict.Binding{Name: "bad", Restrictor: boom},
		restrict.Binding{Name: "good", Restrictor: ok("good", 0)},
	)
	var pe *restrict.PanicError
	require.ErrorAs(t, report.Outcomes[0].Err, &pe)
	require.Equal(t, "provider bug", pe.Value)
	require.NotEmpty(t, pe.Stack)
	require.NoError(t, report.Outcomes[1].Err)
}

func TestFanOutRunsWithinTheCallersContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	report := restrict.RestrictAll(ctx,
		restrict.Binding{Name: "slow", Restrictor: ok("slow", 10*time.Second)},
		restrict.Binding{Name: "fast", Restrictor: ok("fast", 0)},
	)
	require.ErrorIs(t, report.Outcomes[0].Err, context.DeadlineExceeded)
	require.NoError(t, report.Outcomes[1].Err)
}

func TestNilResultWithoutErrorIsAFailure(t *testing.T) {
	t.Parallel()
	silent := stub{restrict: func(context.Context, restrict.Target) (*restrict.Result, error) { return nil, nil }}
	report := restrict.RestrictAll(context.Background(), restrict.Binding{Name: "silent", Restrictor: silent})
	require.ErrorIs(t, report.Err(), restrict.ErrUnavailable)
}
