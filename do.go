package restrict

import (
	"context"
	"fmt"
	"reflect"
	"runtime/debug"
)

// Do performs op at r for target: the one way this module calls a
// Restrictor, used by RestrictAll, LiftAll and StatusAll (and the bulk
// worker), so that a caller's own loop gets the same guarantees:
//
//   - a nil r, or one holding a nil pointer, map, slice, func or channel,
//     is an error matching ErrInvalidRequest, and r is not called;
//   - an op that is not Valid is an error matching ErrInvalidRequest;
//   - OpStatus on an r that is not a Checker is an error matching
//     ErrUnsupported (see NewUnsupportedError), and nothing is sent;
//   - a panic in r is a *PanicError, never a crash of the caller;
//   - a nil result with a nil error is an *APIError matching
//     ErrUnavailable: the provider's answer is unknown.
//
// The result is nil whenever the error is not. Errors Do makes itself name
// no provider, since Do knows r only by its type; RestrictAll names them
// after the binding.
func Do(ctx context.Context, r Restrictor, op Op, target Target) (*Result, error) {
	return do(ctx, "", r, op, target)
}

// do is Do with the name its own errors give the provider.
func do(ctx context.Context, name string, r Restrictor, op Op, t Target) (res *Result, err error) {
	if isNil(r) {
		return nil, NewFieldError(name, op.method(), "Restrictor", "is nil")
	}
	var call func(context.Context, Target) (*Result, error)
	switch op {
	case OpRestrict:
		call = r.Restrict
	case OpLift:
		call = r.Lift
	case OpStatus:
		c, ok := r.(Checker)
		if !ok {
			return nil, NewUnsupportedError(name, "Status", fmt.Sprintf("%T does not implement restrict.Checker", r))
		}
		call = c.Status
	default:
		return nil, NewFieldError(name, "", "Op", fmt.Sprintf("%q is not restrict, lift or status", string(op)))
	}
	defer func() {
		if p := recover(); p != nil {
			res, err = nil, &PanicError{Value: p, Stack: debug.Stack()}
		}
	}()
	res, err = call(ctx, t)
	switch {
	case err != nil:
		res = nil
	case res == nil:
		err = &APIError{Provider: name, Operation: op.method(), Class: ErrUnavailable,
			Message: "the restrictor returned neither a result nor an error"}
	}
	return res, err
}

// isNil reports a nil Restrictor, also one that holds a nil pointer (a
// (*purse.Client)(nil)), map, slice, func or channel: a method that needs
// its value would panic on it.
func isNil(r Restrictor) bool {
	if r == nil {
		return true
	}
	switch v := reflect.ValueOf(r); v.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan:
		return v.IsNil()
	}
	return false
}

// PanicError is the error of a call whose Restrictor panicked (see Do): the
// panic is contained to that call, never a crash of the caller.
type PanicError struct {
	Value any    // what was passed to panic
	Stack []byte // the panicking goroutine's stack
}

// Error reports the panic value.
func (e *PanicError) Error() string { return fmt.Sprintf("restrict: restrictor panicked: %v", e.Value) }
