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

// Op names one of the contract's three operations: what a caller asks of
// a Restrictor, whatever the provider calls it. Outcomes, audit records and
// bulk runs say which operation they are with an Op; a Result's Action says
// instead what the provider did, in its own words.
type Op string

// The contract's operations. Their values are the words audit records write.
const (
	OpRestrict Op = "restrict" // Restrictor.Restrict
	OpLift     Op = "lift"     // Restrictor.Lift
	OpStatus   Op = "status"   // Checker.Status
)

// Valid reports whether op is OpRestrict, OpLift or OpStatus: the only
// values Do accepts, so that a word read from a flag or a database can be
// checked before anything is queued.
func (op Op) Valid() bool { return op == OpRestrict || op == OpLift || op == OpStatus }

// method is the Go method op calls, as errors name the operation.
func (op Op) method() string {
	switch op {
	case OpRestrict:
		return "Restrict"
	case OpLift:
		return "Lift"
	case OpStatus:
		return "Status"
	}
	return ""
}

// Action is what a provider did, in the provider's own terms: block,
// suspend, freeze. The operation that was asked for is an Op.
type Action string

// The actions providers perform, in their own words.
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
// provider answered. Every result, of the contract and of each provider's
// own API, embeds it; the client fills it.
type Meta struct {
	// StatusCode is the HTTP status of the final answer.
	StatusCode int `json:"status_code"`
	// RequestID is the provider's request identifier, where it sends one.
	RequestID string `json:"request_id"`
	// Attempts counts the HTTP attempts made, the first included: the
	// requests handed to the HTTP client while the call's context was
	// live. A request cut off by the context on its way counts, since it
	// may have reached the provider.
	Attempts int `json:"attempts"`
}

// SetMeta records the exchange behind a result. The clients call it once
// the answer is decoded; it is exported so that a result type of any
// package can embed Meta and have it filled.
func (m *Meta) SetMeta(v Meta) { *m = v }

// Result is what Restrict, Lift or Status found at one provider. Its JSON,
// part of the audit record, is
//
//	{"provider":"purse","action":"block","target_id":"…","state":"restricted",
//	 "status_code":200,"request_id":"","attempts":1}
type Result struct {
	Provider string `json:"provider"` // the provider package's name: "cryptomus", "purse", ...
	Action   Action `json:"action"`   // what the provider did, in its words; "" for Status
	TargetID string `json:"target_id"`
	State    State  `json:"state"`
	Meta
}

// Ptr returns a pointer to v, for optional request fields whose zero value
// means something: restrict.Ptr(false) sends false, nil sends nothing.
func Ptr[T any](v T) *T { return &v }
