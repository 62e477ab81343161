package bulk_test

import (
	"context"
	"sync"

	"github.com/restrictkit/restrict"
)

// scripted is a restrictor that answers each target from a script: the
// n-th call for a target gets the n-th error (nil: success), and once the
// script is used up, success. It counts calls per target.
type scripted struct {
	name   string
	mu     sync.Mutex
	script map[string][]error
	calls  map[string]int
	panics map[string]bool
}

func newScripted(name string) *scripted {
	return &scripted{name: name, script: map[string][]error{}, calls: map[string]int{}, panics: map[string]bool{}}
}

func (s *scripted) on(id string, errs ...error) { s.mu.Lock(); s.script[id] = errs; s.mu.Unlock() }

func (s *scripted) count(id string) int { s.mu.Lock(); defer s.mu.Unlock(); return s.calls[id] }

func (s *scripted) do(ctx context.Context, t restrict.Target, action restrict.Action, state restrict.State) (*restrict.Result, error) {
	s.mu.Lock()
	n := s.calls[t.ID]
	s.calls[t.ID]++
	var err error
	if errs := s.script[t.ID]; n < len(errs) {
		err = errs[n]
	}
	panics := s.panics[t.ID]
	s.mu.Unlock()
	if panics {
		panic("scripted panic")
	}
	if ctx.Err() != nil {
		return nil, &restrict.APIError{Provider: s.name, Message: "the context ended", Err: ctx.Err()}
	}
	if err != nil {
		return nil, err
	}
	return &restrict.Result{Provider: s.name, Action: action, TargetID: t.ID, State: state,
		Meta: restrict.Meta{StatusCode: 200, Attempts: 1, RequestID: "req-" + t.ID}}, nil
}

func (s *scripted) Restrict(ctx context.Context, t restrict.Target) (*restrict.Result, error) {
	return s.do(ctx, t, restrict.ActionBlock, restrict.StateRestricted)
}

func (s *scripted) Lift(ctx context.Context, t restrict.Target) (*restrict.Result, error) {
	return s.do(ctx, t, restrict.ActionUnblock, restrict.StateActive)
}

func apiErr(class error, status int, code string) *restrict.APIError {
	return &restrict.APIError{Provider: "p", Operation: "Restrict", Class: class, StatusCode: status, Code: code, Message: "scripted " + code, Attempts: 1}
}
