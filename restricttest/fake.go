package restricttest

import (
	"context"
	"sync"

	"github.com/restrictkit/restrict"
)

// Fake is an in-memory restrict.Restrictor that behaves like a provider: it
// keeps a state per ID, records every call, fails where told to, and can
// behave like a provider with no lift. Its zero value is ready to use; it
// is safe for concurrent use.
type Fake struct {
	// Provider names the fake in results and errors; "fake" when empty.
	Provider string
	// NoLift makes Lift fail with an error matching restrict.ErrUnsupported,
	// as Cryptomus, KunaCore and myKaarma do.
	NoLift bool
	// RestrictAction and LiftAction are reported in results;
	// restrict.ActionBlock and restrict.ActionUnblock when empty.
	RestrictAction restrict.Action
	LiftAction     restrict.Action

	mu     sync.Mutex
	states map[string]restrict.State
	errs   map[string]error
	calls  []Call
}

var _ restrict.Restrictor = (*Fake)(nil)

// Call is one recorded call to a Fake.
type Call struct {
	Method string // "Restrict" or "Lift"
	Target restrict.Target
}

// FailWith makes every later call for id return err, until cleared with a
// nil err.
func (f *Fake) FailWith(id string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.errs == nil {
		f.errs = make(map[string]error)
	}
	if err == nil {
		delete(f.errs, id)
		return
	}
	f.errs[id] = err
}

// State returns id's state: StateUnknown for an ID never restricted or
// lifted.
func (f *Fake) State(id string) restrict.State {
	f.mu.Lock()
	defer f.mu.Unlock()
	if s, ok := f.states[id]; ok {
		return s
	}
	return restrict.StateUnknown
}

// Calls returns the calls made so far, in order.
func (f *Fake) Calls() []Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Call(nil), f.calls...)
}

// Restrict marks the target restricted.
func (f *Fake) Restrict(ctx context.Context, t restrict.Target) (*restrict.Result, error) {
	return f.do(ctx, "Restrict", t, orDefault(f.RestrictAction, restrict.ActionBlock), restrict.StateRestricted)
}

// Lift marks the target active, or fails with ErrUnsupported when NoLift
// is set.
func (f *Fake) Lift(ctx context.Context, t restrict.Target) (*restrict.Result, error) {
	return f.do(ctx, "Lift", t, orDefault(f.LiftAction, restrict.ActionUnblock), restrict.StateActive)
}

func (f *Fake) do(ctx context.Context, method string, t restrict.Target, action restrict.Action, to restrict.State) (*restrict.Result, error) {
	provider := f.Provider
	if provider == "" {
		provider = "fake"
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, Call{Method: method, Target: t})
	if err := ctx.Err(); err != nil {
		return nil, &restrict.APIError{Provider: provider, Operation: method, Message: "the context ended", Err: err}
	}
	if t.ID == "" {
		return nil, restrict.NewFieldError(provider, method, "ID", "is required")
	}
	if method == "Lift" && f.NoLift {
		return nil, &restrict.APIError{Provider: provider, Operation: method, Class: restrict.ErrUnsupported, Message: provider + " has no lift"}
	}
	if err := f.errs[t.ID]; err != nil {
		return nil, err
	}
	if f.states == nil {
		f.states = make(map[string]restrict.State)
	}
	f.states[t.ID] = to
	return &restrict.Result{Provider: provider, Action: action, TargetID: t.ID, State: to,
		Meta: restrict.Meta{StatusCode: 200, Attempts: 1}}, nil
}

func orDefault(a, def restrict.Action) restrict.Action {
	if a == "" {
		return def
	}
	return a
}
