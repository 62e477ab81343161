package restrict

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"
)

// Binding is one provider and what to restrict there: the provider's own ID
// for the customer. A nil Restrictor, or one holding a nil pointer, gets an
// outcome matching ErrInvalidRequest that names the field, and is never
// called.
type Binding struct {
	Name       string // how the report names it: "cryptomus", "purse-eu", ...
	Restrictor Restrictor
	Target     Target
}

// Outcome is what happened at one binding.
type Outcome struct {
	Name     string
	Target   Target
	Op       Op      // what was asked: OpRestrict, OpLift or OpStatus
	Result   *Result // nil when Err is set
	Err      error
	Duration time.Duration
}

// Unsupported reports an outcome whose provider has no such operation: an
// error matching ErrUnsupported, and nothing sent.
func (o Outcome) Unsupported() bool { return o.Err != nil && errors.Is(o.Err, ErrUnsupported) }

// Failed reports an outcome that ended in an error other than
// ErrUnsupported.
func (o Outcome) Failed() bool { return o.Err != nil && !o.Unsupported() }

// MarshalJSON writes the outcome as one line of an audit record:
//
//	{"name":"purse","provider":"purse","target":"cust-1","reason":"court order",
//	 "action":"restrict","provider_action":"block","state":"restricted",
//	 "status_code":200,"request_id":"","attempts":1,"duration_ms":3,"error":null}
//
// action is the Op that was asked for; provider_action is what the
// provider did, in its words (the Result's Action), "" where it did
// nothing. docs/audit-record.schema.json is the record's JSON Schema.
//
// For a failure state is "unknown" and error is the APIError's record
// (see APIError.MarshalJSON); an error of another type is written as its
// class and message, the class named as APIError.MarshalJSON names it
// ("timeout" or "canceled" for a context's end).
func (o Outcome) MarshalJSON() ([]byte, error) {
	rec := outcomeRecord{
		Name:       o.Name,
		Provider:   o.Name,
		Target:     o.Target.ID,
		Reason:     o.Target.Reason,
		Action:     o.Op,
		State:      StateUnknown,
		DurationMS: o.Duration.Milliseconds(),
	}
	if r := o.Result; r != nil && o.Err == nil {
		rec.Provider, rec.ProviderAction, rec.State = r.Provider, r.Action, r.State
		rec.StatusCode, rec.RequestID, rec.Attempts = r.StatusCode, r.RequestID, r.Attempts
	}
	if o.Err != nil {
		var ae *APIError
		if errors.As(o.Err, &ae) {
			if ae.Provider != "" {
				rec.Provider = ae.Provider
			}
			rec.StatusCode, rec.RequestID, rec.Attempts = ae.StatusCode, ae.RequestID, ae.Attempts
			rec.Error = ae
		} else {
			rec.Error = plainError{Class: recordClass(o.Err), Message: o.Err.Error()}
		}
	}
	return json.Marshal(rec)
}

type outcomeRecord struct {
	Name           string `json:"name"`
	Provider       string `json:"provider"`
	Target         string `json:"target"`
	Reason         string `json:"reason"`
	Action         Op     `json:"action"`
	ProviderAction Action `json:"provider_action"`
	State          State  `json:"state"`
	StatusCode     int    `json:"status_code"`
	RequestID      string `json:"request_id"`
	Attempts       int    `json:"attempts"`
	DurationMS     int64  `json:"duration_ms"`
	Error          any    `json:"error"`
}

// plainError is the record of an error that is not an *APIError (a panic
// in a caller's own Restrictor).
type plainError struct {
	Class   string `json:"class"`
	Message string `json:"message"`
}

// Report holds one Outcome per binding, in the order the bindings were
// given: the record of what happened where. Its JSON is
// {"outcomes":[…]}, each outcome as Outcome.MarshalJSON writes it.
type Report struct {
	Outcomes []Outcome `json:"outcomes"`
}

// Err joins the failures, each prefixed with its binding's name, or returns
// nil when every binding succeeded or has no such operation: a LiftAll
// over providers of which some have no lift is not an error (see
// Unsupported). errors.Is and errors.As work through it.
func (r *Report) Err() error {
	var errs []error
	for _, o := range r.Failed() {
		errs = append(errs, &BindingError{Name: o.Name, Err: o.Err})
	}
	return errors.Join(errs...)
}

// Failed returns the outcomes that ended in an error, leaving out those
// whose provider has no such operation.
func (r *Report) Failed() []Outcome {
	var out []Outcome
	for _, o := range r.Outcomes {
		if o.Failed() {
			out = append(out, o)
		}
	}
	return out
}

// Unsupported returns the outcomes whose provider has no such operation
// (a Lift at a provider without one): nothing was sent there.
func (r *Report) Unsupported() []Outcome {
	var out []Outcome
	for _, o := range r.Outcomes {
		if o.Unsupported() {
			out = append(out, o)
		}
	}
	return out
}

// BindingError is one binding's failure inside Report.Err.
type BindingError struct {
	Name string
	Err  error
}

// Error names the binding, then the failure.
func (e *BindingError) Error() string { return e.Name + ": " + e.Err.Error() }

// Unwrap returns the binding's error.
func (e *BindingError) Unwrap() error { return e.Err }

// RestrictAll calls Restrict on every binding concurrently within ctx,
// each through Do. It never stops at the first failure: the report has an
// outcome for each binding, and takes about as long as the slowest one.
func RestrictAll(ctx context.Context, bindings ...Binding) *Report {
	return fanOut(ctx, bindings, OpRestrict)
}

// LiftAll calls Lift on every binding concurrently within ctx, as
// RestrictAll does. A provider with no lift has an outcome matching
// ErrUnsupported, which Report.Err leaves out.
func LiftAll(ctx context.Context, bindings ...Binding) *Report {
	return fanOut(ctx, bindings, OpLift)
}

// StatusAll reads every binding's state back concurrently within ctx, as
// RestrictAll does: the proof that a restriction holds. A binding whose
// Restrictor is not a Checker, or whose provider has no read, has an
// outcome matching ErrUnsupported.
func StatusAll(ctx context.Context, bindings ...Binding) *Report {
	return fanOut(ctx, bindings, OpStatus)
}

func fanOut(ctx context.Context, bindings []Binding, op Op) *Report {
	report := &Report{Outcomes: make([]Outcome, len(bindings))}
	var wg sync.WaitGroup
	for i, b := range bindings {
		wg.Go(func() {
			o := &report.Outcomes[i]
			start := time.Now()
			o.Name, o.Target, o.Op = b.Name, b.Target, op
			// The binding's name stands for the provider in the errors Do
			// makes itself, so that Report.Err says where.
			o.Result, o.Err = do(ctx, b.Name, b.Restrictor, op, b.Target)
			o.Duration = time.Since(start)
		})
	}
	wg.Wait()
	return report
}
