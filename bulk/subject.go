package bulk

import (
	"context"
	"errors"
	"fmt"
)

// maxPage is the most outcomes one OutcomesPage reads: a page a person or
// an API client reads, not a report.
const maxPage = 10000

// OutcomesPage reads at most limit outcomes f selects, in the order
// Outcomes streams them, starting after f.After: one page of a listing.
// The next page starts after the last outcome's key. limit is 1 to 10,000.
func (e *Engine) OutcomesPage(ctx context.Context, f Filter, limit int) ([]Outcome, error) {
	return e.read.outcomesPage(ctx, f, limit)
}

// SubjectOutcomes reads every outcome of the subject key, in every run,
// oldest run first.
func (e *Engine) SubjectOutcomes(ctx context.Context, key string) ([]Outcome, error) {
	return e.read.subjectOutcomes(ctx, key)
}

// OutcomesPage reads one page of outcomes, as Engine.OutcomesPage does.
func (r *Reader) OutcomesPage(ctx context.Context, f Filter, limit int) ([]Outcome, error) {
	return r.read.outcomesPage(ctx, f, limit)
}

// SubjectOutcomes reads every outcome of the subject key, as
// Engine.SubjectOutcomes does.
func (r *Reader) SubjectOutcomes(ctx context.Context, key string) ([]Outcome, error) {
	return r.read.subjectOutcomes(ctx, key)
}

func (r reader) outcomesPage(ctx context.Context, f Filter, limit int) ([]Outcome, error) {
	if f.Run == "" {
		return nil, errors.New("bulk: Filter.Run is required")
	}
	if limit < 1 || limit > maxPage {
		return nil, fmt.Errorf("bulk: page limit %d: want 1 to %d", limit, maxPage)
	}
	q, args := outcomesPage(f, nil, limit)
	return r.page(ctx, f.Run, q, args, limit)
}

// subjectOutcomesSQL reads a subject's outcomes run by run: for each run,
// one lookup of (run, subject) in the outcomes' primary key, so that it
// costs the same whatever the journal's size. CROSS JOIN makes SQLite
// keep the runs as the outer loop; Postgres plans the same nested loop
// from the key's selectivity.
const subjectOutcomesSQL = `SELECT r.name, ` + outcomeColumnsO + `
	FROM {p}restrict_bulk_run r CROSS JOIN {p}restrict_bulk_outcome o
	WHERE o.run = r.name AND o.subject = ?
	ORDER BY r.created_at, r.name, o.provider`

// outcomeColumnsO is outcomeColumns of the outcome table aliased o.
const outcomeColumnsO = `o.subject, o.provider, o.target, o.action, o.result, o.state, o.provider_action,
	o.error_class, o.error_code, o.error_message, o.http_status, o.http_attempts, o.job_attempts, o.request_id,
	o.started_at, o.finished_at, o.http_attempts_known`

func (r reader) subjectOutcomes(ctx context.Context, key string) ([]Outcome, error) {
	rows, err := r.db.QueryContext(ctx, r.sq.bind(subjectOutcomesSQL), key)
	if err != nil {
		return nil, fmt.Errorf("bulk: subject outcomes: %w", err)
	}
	defer rows.Close()
	var out []Outcome
	for rows.Next() {
		var run string
		o, err := scanOutcome(runFirst{rows, &run}, "")
		if err != nil {
			return nil, fmt.Errorf("bulk: subject outcomes: %w", err)
		}
		o.Run = run
		out = append(out, o)
	}
	return out, rows.Err()
}

// runFirst scans a row whose first column is the run's name into run,
// and the rest as scanOutcome reads them.
type runFirst struct {
	s   interface{ Scan(...any) error }
	run *string
}

func (f runFirst) Scan(dest ...any) error {
	return f.s.Scan(append([]any{f.run}, dest...)...)
}
