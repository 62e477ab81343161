package restrict_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
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
	require.ErrorIs(t, report.Outcomes[1].Err, restrict.ErrUnsupported)
	require.ErrorIs(t, report.Outcomes[1].Err, errors.ErrUnsupported)
	// Two lift and one cannot: not an error, and said apart.
	require.NoError(t, report.Err())
	require.Empty(t, report.Failed())
	require.Len(t, report.Unsupported(), 1)
	require.Equal(t, "cryptomus", report.Unsupported()[0].Name)
	require.True(t, report.Outcomes[1].Unsupported())
	require.False(t, report.Outcomes[1].Failed())
}

// checker is a Restrictor that can also read a target's state back.
type checker struct {
	stub
	state restrict.State
}

func (c checker) Status(_ context.Context, t restrict.Target) (*restrict.Result, error) {
	return &restrict.Result{Provider: "purse", TargetID: t.ID, State: c.state}, nil
}

func TestStatusAllReadsEveryCheckerAndSaysWhichCannot(t *testing.T) {
	t.Parallel()
	report := restrict.StatusAll(context.Background(),
		restrict.Binding{Name: "purse", Restrictor: checker{ok("purse", 0), restrict.StateRestricted}, Target: restrict.Target{ID: "c1"}},
		restrict.Binding{Name: "plain", Restrictor: ok("plain", 0), Target: restrict.Target{ID: "c2"}},
	)
	require.NoError(t, report.Err())
	require.Equal(t, restrict.StateRestricted, report.Outcomes[0].Result.State)
	require.Equal(t, restrict.OpStatus, report.Outcomes[0].Op)
	require.ErrorIs(t, report.Outcomes[1].Err, restrict.ErrUnsupported)
	require.Contains(t, report.Outcomes[1].Err.Error(), "plain Status")
	require.Len(t, report.Unsupported(), 1)
}

// The report is an audit record: stable snake_case JSON, each outcome with
// its target and action, failures with their class, code and message.
func TestReportJSONIsAnAuditRecord(t *testing.T) {
	t.Parallel()
	failing := stub{restrict: func(context.Context, restrict.Target) (*restrict.Result, error) {
		return nil, &restrict.APIError{Provider: "purse", Operation: "BlockCustomer", StatusCode: 429, Code: "001",
			Message: "Too many requests", RetryAfter: 1500 * time.Millisecond, Attempts: 3, RequestID: "req-9", Class: restrict.ErrRateLimited}
	}}
	report := restrict.RestrictAll(context.Background(),
		restrict.Binding{Name: "crypto", Restrictor: ok("cryptomus", 0), Target: restrict.Target{ID: "w1", Reason: "fraud"}},
		restrict.Binding{Name: "purse", Restrictor: failing, Target: restrict.Target{ID: "c1"}},
	)
	b, err := json.Marshal(report)
	require.NoError(t, err)
	var got struct {
		Outcomes []map[string]any `json:"outcomes"`
	}
	require.NoError(t, json.Unmarshal(b, &got))
	require.Len(t, got.Outcomes, 2)
	okRec, failRec := got.Outcomes[0], got.Outcomes[1]
	for _, rec := range got.Outcomes {
		for _, key := range []string{"name", "provider", "target", "action", "state", "status_code", "request_id", "attempts", "duration_ms", "error"} {
			require.Contains(t, rec, key)
		}
	}
	require.Equal(t, "crypto", okRec["name"])
	require.Equal(t, "cryptomus", okRec["provider"])
	require.Equal(t, "w1", okRec["target"])
	require.Equal(t, "fraud", okRec["reason"])
	require.Equal(t, "restrict", okRec["action"])
	require.Equal(t, "block", okRec["provider_action"])
	require.Equal(t, "restricted", okRec["state"])
	require.Nil(t, okRec["error"])

	require.Equal(t, "unknown", failRec["state"])
	require.EqualValues(t, 429, failRec["status_code"])
	require.EqualValues(t, 3, failRec["attempts"])
	require.Equal(t, "req-9", failRec["request_id"])
	e := failRec["error"].(map[string]any)
	require.Equal(t, "rate_limited", e["class"])
	require.Equal(t, "001", e["code"])
	require.Equal(t, "Too many requests", e["message"])
	require.EqualValues(t, 1500, e["retry_after_ms"])
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
	require.Equal(t, "timeout", errorClass(t, report.Outcomes[0]))

	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	report = restrict.RestrictAll(cancelled, restrict.Binding{Name: "slow", Restrictor: ok("slow", 10*time.Second)})
	require.ErrorIs(t, report.Outcomes[0].Err, context.Canceled)
	require.Equal(t, "canceled", errorClass(t, report.Outcomes[0]))
}

// errorClass is the class an outcome's audit record gives its error.
func errorClass(t *testing.T, o restrict.Outcome) string {
	t.Helper()
	b, err := json.Marshal(o)
	require.NoError(t, err)
	var rec struct {
		Error struct {
			Class string `json:"class"`
		} `json:"error"`
	}
	require.NoError(t, json.Unmarshal(b, &rec))
	return rec.Error.Class
}

func TestNilResultWithoutErrorIsAFailure(t *testing.T) {
	t.Parallel()
	silent := stub{restrict: func(context.Context, restrict.Target) (*restrict.Result, error) { return nil, nil }}
	report := restrict.RestrictAll(context.Background(), restrict.Binding{Name: "silent", Restrictor: silent})
	require.ErrorIs(t, report.Err(), restrict.ErrUnavailable)
}

// pointerRestrictor needs its value, as a provider's client does.
type pointerRestrictor struct{ name string }

func (p *pointerRestrictor) Restrict(context.Context, restrict.Target) (*restrict.Result, error) {
	return &restrict.Result{Provider: p.name}, nil
}

func (p *pointerRestrictor) Lift(context.Context, restrict.Target) (*restrict.Result, error) {
	return &restrict.Result{Provider: p.name}, nil
}

// A typed nil in a Binding is refused as a nil interface is, before it is
// called: an invalid_request outcome, not a panic.
func TestATypedNilRestrictorIsRefusedAsANilOne(t *testing.T) {
	t.Parallel()
	report := restrict.RestrictAll(context.Background(),
		restrict.Binding{Name: "nil", Restrictor: nil},
		restrict.Binding{Name: "typed", Restrictor: (*pointerRestrictor)(nil)},
	)
	for _, o := range report.Outcomes {
		var pe *restrict.PanicError
		require.False(t, errors.As(o.Err, &pe), o.Name)
		require.ErrorIs(t, o.Err, restrict.ErrInvalidRequest, o.Name)
		require.Equal(t, "invalid_request", errorClass(t, o))
	}
	require.Equal(t, report.Outcomes[0].Err.Error(), strings.Replace(report.Outcomes[1].Err.Error(), "typed", "nil", 1))
}
