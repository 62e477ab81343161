package conformance_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/cryptomus"
	"github.com/restrictkit/restrict/customerv2"
	"github.com/restrictkit/restrict/kpayment"
	"github.com/restrictkit/restrict/purse"
	"github.com/restrictkit/restrict/walletplatform"
)

// A call made with a context that has already ended sends nothing, at
// every provider, and its error and audit record say so: no attempt.
func TestACallWithAnEndedContextSendsNothing(t *testing.T) {
	t.Parallel()
	for _, s := range subjects {
		s := s
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			e := s.start(t)
			h := newHarness(t, fastRetry, 0)
			c, err := e.newClient(h.opts...)
			require.NoError(t, err)
			cancelled, cancel := context.WithCancel(context.Background())
			cancel()
			expired, cancel2 := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
			defer cancel2()
			calls := []func(context.Context, restrict.Target) (*restrict.Result, error){c.Restrict}
			if s.lift {
				calls = append(calls, c.Lift)
			}
			for _, ctx := range []context.Context{cancelled, expired} {
				for _, call := range calls {
					res, err := call(ctx, e.target)
					require.Nil(t, res)
					require.ErrorIs(t, err, ctx.Err())
					require.Zero(t, attemptsOf(t, res, err))
				}
			}
			require.Zero(t, e.fake.Requests(), "nothing reached the provider")
		})
	}
}

// The audit record of a fan-out whose context ended names the end, at
// every provider: "timeout" for a deadline, "canceled" for a cancellation,
// with no attempt.
func TestTheAuditRecordNamesAnEndedContext(t *testing.T) {
	t.Parallel()
	var bindings []restrict.Binding
	for _, s := range subjects {
		e := s.start(t)
		h := newHarness(t, fastRetry, 0)
		c, err := e.newClient(h.opts...)
		require.NoError(t, err)
		bindings = append(bindings, restrict.Binding{Name: s.name, Restrictor: c, Target: e.target})
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel2()
	for name, ctx := range map[string]context.Context{"canceled": cancelled, "timeout": expired} {
		b, err := json.Marshal(restrict.RestrictAll(ctx, bindings...))
		require.NoError(t, err)
		var report struct {
			Outcomes []struct {
				Name     string `json:"name"`
				Attempts int    `json:"attempts"`
				Error    struct {
					Class    string `json:"class"`
					Attempts int    `json:"attempts"`
				} `json:"error"`
			} `json:"outcomes"`
		}
		require.NoError(t, json.Unmarshal(b, &report))
		require.Len(t, report.Outcomes, len(subjects))
		for _, o := range report.Outcomes {
			require.Equal(t, name, o.Error.Class, o.Name)
			require.Zero(t, o.Attempts, o.Name)
			require.Zero(t, o.Error.Attempts, o.Name)
		}
	}
}

// unmade are, per provider, a typed nil and a zero-value client: clients
// not made with New.
var unmade = map[string][]restrict.Restrictor{
	cryptomus.Provider:      {(*cryptomus.Client)(nil), &cryptomus.Client{}},
	customerv2.Provider:     {(*customerv2.Client)(nil), &customerv2.Client{}},
	kpayment.Provider:       {(*kpayment.Client)(nil), &kpayment.Client{}},
	purse.Provider:          {(*purse.Client)(nil), &purse.Client{}},
	walletplatform.Provider: {(*walletplatform.Client)(nil), &walletplatform.Client{}},
}

// A client not made with New, in a Binding, is refused as a nil one is:
// an invalid_request outcome, never a panic.
func TestAClientNotMadeWithNewIsAnInvalidRequestNotAPanic(t *testing.T) {
	t.Parallel()
	require.Len(t, unmade, len(subjects))
	for _, s := range subjects {
		e := s.start(t)
		for i, r := range unmade[s.name] {
			b := restrict.Binding{Name: s.name, Restrictor: r, Target: e.target}
			for _, all := range []func(context.Context, ...restrict.Binding) *restrict.Report{restrict.RestrictAll, restrict.LiftAll, restrict.StatusAll} {
				o := all(context.Background(), b).Outcomes[0]
				var pe *restrict.PanicError
				require.False(t, errors.As(o.Err, &pe), "%s %d: %v", s.name, i, o.Err)
				if o.Unsupported() {
					continue // a provider with no such call says so first
				}
				require.ErrorIs(t, o.Err, restrict.ErrInvalidRequest, "%s %d", s.name, i)
				require.Equal(t, "invalid_request", restrict.ClassName(o.Err))
			}
			require.NotContains(t, fmt.Sprintf("%v %+v %s", r, r, r), "PANIC", s.name)
		}
		// Called directly, a zero-value client fails the same way.
		zero := unmade[s.name][1]
		_, err := zero.Restrict(context.Background(), e.target)
		require.ErrorIs(t, err, restrict.ErrInvalidRequest, s.name)
		if c, ok := zero.(restrict.Checker); ok {
			_, err = c.Status(context.Background(), e.target)
			if !errors.Is(err, restrict.ErrUnsupported) {
				require.ErrorIs(t, err, restrict.ErrInvalidRequest, s.name)
			}
		}
		require.Zero(t, e.fake.Requests())
	}
}
