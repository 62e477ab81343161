package conformance_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
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
