package restrict

import "context"

// Version is the version of this module, sent in the default User-Agent.
const Version = "0.1.0"

// Restrictor stops a customer from transacting at one provider, and releases
// them where the provider allows it. Every provider client in this module
// implements it.
type Restrictor interface {
	// Restrict stops the target from transacting: suspend, block or freeze,
	// whichever the provider calls it.
	Restrict(ctx context.Context, t Target) (*Result, error)
	// Lift undoes Restrict: unblock or unfreeze. A provider whose API has no
	// undo returns an error matching ErrUnsupported and sends nothing.
	Lift(ctx context.Context, t Target) (*Result, error)
}

// Checker reads a target's current state back from its provider: the proof
// that a restriction holds. Every provider client in this module implements
// it; a provider with no way to read the state returns an error matching
// ErrUnsupported and sends nothing, as Lift does where there is no lift.
type Checker interface {
	// Status reports the target's state as the provider holds it now.
	Status(ctx context.Context, t Target) (*Result, error)
}

// Target names what to restrict at one provider.
type Target struct {
	// ID is the provider's identifier: a customer ID, a wallet UUID or
	// order ID, or an account ID.
	ID string
	// Reason is optional. It is logged, and sent where the provider has a
	// field for it.
	Reason string
}

// Action is what a provider did, in the provider's own terms.
type Action string

// The actions providers perform.
const (
	ActionSuspend  Action = "suspend"
	ActionBlock    Action = "block"
	ActionFreeze   Action = "freeze"
	ActionUnblock  Action = "unblock"
	ActionUnfreeze Action = "unfreeze"
)

// State is the target's state after a call, as far as the provider said.
type State string

// The states a Result reports.
const (
	// StateRestricted means the provider confirmed the target is restricted.
	StateRestricted State = "restricted"
	// StateActive means the provider confirmed the target may transact.
	StateActive State = "active"
	// StateUnknown means the provider's answer does not say.
	StateUnknown State = "unknown"
)

// Meta describes the HTTP exchange behind a result: proof of what the
// provider answered. Provider results embed it.
type Meta struct {
	// StatusCode is the HTTP status of the final answer.
	StatusCode int `json:"-"`
	// RequestID is the provider's request identifier, where it sends one.
	RequestID string `json:"-"`
	// Attempts counts the HTTP attempts made, the first included.
	Attempts int `json:"-"`
}

// Result is what Restrict or Lift did at one provider.
type Result struct {
	Provider string // the provider package's name: "cryptomus", "purse", ...
	Action   Action
	TargetID string
	State    State
	Meta
}
