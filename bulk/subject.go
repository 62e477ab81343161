package bulk

import (
	"context"
	"errors"
)

// errNotYet stands for what this session's work fills in.
var errNotYet = errors.New("bulk: not implemented yet")

// OutcomesPage reads at most limit outcomes f selects, in the order
// Outcomes streams them, starting after f.After: one page of a listing.
// The next page starts after the last outcome's key.
func (e *Engine) OutcomesPage(ctx context.Context, f Filter, limit int) ([]Outcome, error) {
	return nil, errNotYet
}

// SubjectOutcomes reads every outcome of the subject key, in every run,
// oldest run first.
func (e *Engine) SubjectOutcomes(ctx context.Context, key string) ([]Outcome, error) {
	return nil, errNotYet
}
