package restrict

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"time"
)

// Binding is one provider and what to restrict there: the provider's own ID
// for the customer.
type Binding struct {
	Name       string // how the report names it: "cryptomus", "purse-eu", ...
	Restrictor Restrictor
	Target     Target
}

// Outcome is what happened at one binding.
type Outcome struct {
	Name     string
	Result   *Result // nil when Err is set
	Err      error
	Duration time.Duration
}

// Report holds one Outcome per binding, in the order the bindings were
// given: the record of what happened where.
type Report struct {
	Outcomes []Outcome
}

// Err joins the failures, each prefixed with its binding's name, or returns
// nil when every binding succeeded. errors.Is and errors.As work through it:
// errors.Is(report.Err(), restrict.ErrUnsupported) tells that some provider
// has no lift.
func (r *Report) Err() error {
	var errs []error
	for _, o := range r.Outcomes {
		if o.Err != nil {
			errs = append(errs, &BindingError{Name: o.Name, Err: o.Err})
		}
	}
	return errors.Join(errs...)
}

// Failed returns the outcomes that ended in an error.
func (r *Report) Failed() []Outcome {
	var out []Outcome
	for _, o := range r.Outcomes {
		if o.Err != nil {
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

// PanicError is a binding's error when its Restrictor panicked: the panic is
// contained to that binding, never a crash of the caller.
type PanicError struct {
	Value any    // what was passed to panic
	Stack []byte // the panicking goroutine's stack
}

// Error reports the panic value.
func (e *PanicError) Error() string { return fmt.Sprintf("restrict: restrictor panicked: %v", e.Value) }

// RestrictAll calls Restrict on every binding concurrently within ctx. It
// never stops at the first failure: the report has an outcome for each
// binding, and takes about as long as the slowest one.
func RestrictAll(ctx context.Context, bindings ...Binding) *Report {
	return fanOut(ctx, bindings, Restrictor.Restrict)
}

// LiftAll calls Lift on every binding concurrently within ctx, as
// RestrictAll does. A provider with no lift reports an error matching
// ErrUnsupported in its outcome.
func LiftAll(ctx context.Context, bindings ...Binding) *Report {
	return fanOut(ctx, bindings, Restrictor.Lift)
}

func fanOut(ctx context.Context, bindings []Binding, call func(Restrictor, context.Context, Target) (*Result, error)) *Report {
	report := &Report{Outcomes: make([]Outcome, len(bindings))}
	var wg sync.WaitGroup
	for i, b := range bindings {
		wg.Add(1)
		go func(o *Outcome, b Binding) {
			defer wg.Done()
			start := time.Now()
			o.Name = b.Name
			o.Result, o.Err = callSafely(ctx, b, call)
			o.Duration = time.Since(start)
			if o.Err != nil {
				o.Result = nil
			}
		}(&report.Outcomes[i], b)
	}
	wg.Wait()
	return report
}

func callSafely(ctx context.Context, b Binding, call func(Restrictor, context.Context, Target) (*Result, error)) (res *Result, err error) {
	if b.Restrictor == nil {
		return nil, NewFieldError(b.Name, "", "Restrictor", "is nil")
	}
	defer func() {
		if p := recover(); p != nil {
			res, err = nil, &PanicError{Value: p, Stack: debug.Stack()}
		}
	}()
	res, err = call(b.Restrictor, ctx, b.Target)
	if err == nil && res == nil {
		err = &APIError{Provider: b.Name, Class: ErrUnavailable, Message: "the restrictor returned neither a result nor an error"}
	}
	return res, err
}
