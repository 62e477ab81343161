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
	// NoStatus makes Status fail with an error matching
	// restrict.ErrUnsupported, as Cryptomus and myKaarma do: they have no
	// call that reads a customer's state.
	NoStatus bool
	// CheckID, when set, is applied to every target's ID before anything
	// else, as the provider's client applies its ID rule before sending:
	// set it to a provider's CheckTargetID (purse.CheckTargetID, ...) so
	// that a test fails on an ID production would refuse.
	CheckID func(id string) error
	// RestrictAction and LiftAction are reported in results;
	// restrict.ActionBlock and restrict.ActionUnblock when empty.
	RestrictAction restrict.Action
	LiftAction     restrict.Action

	mu     sync.Mutex
	states map[string]restrict.State
	errs   map[string]error
	calls  []Call
}

var (
	_ restrict.Restrictor = (*Fake)(nil)
	_ restrict.Checker    = (*Fake)(nil)
)

// Call is one recorded call to a Fake.
type Call struct {
	Method string // "Restrict", "Lift" or "Status"
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

// Status reports the target's state: restricted or active as the last
// Restrict or Lift left it, and active for an ID never restricted, as a
// customer nobody restricted is. With NoStatus set it fails with an error
// matching restrict.ErrUnsupported.
func (f *Fake) Status(ctx context.Context, t restrict.Target) (*restrict.Result, error) {
	return f.do(ctx, "Status", t, "", "")
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
	if method == "Lift" && f.NoLift {
		return nil, restrict.NewUnsupportedError(provider, method, provider+" has no lift")
	}
	if method == "Status" && f.NoStatus {
		return nil, restrict.NewUnsupportedError(provider, method, provider+" has no status")
	}
	if t.ID == "" {
		return nil, restrict.NewFieldError(provider, method, "ID", "is required")
	}
	if f.CheckID != nil {
		if err := f.CheckID(t.ID); err != nil {
			return nil, err
		}
	}
	if err := f.errs[t.ID]; err != nil {
		return nil, err
	}
	if method == "Status" {
		state, ok := f.states[t.ID]
		if !ok {
			state = restrict.StateActive
		}
		return &restrict.Result{Provider: provider, TargetID: t.ID, State: state,
			Meta: restrict.Meta{StatusCode: 200, Attempts: 1}}, nil
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
