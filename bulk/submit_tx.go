package bulk

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"
	"reflect"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// ErrWrongTx is matched by the error of SubmitTx given a transaction that
// is not of the engine's driver: a Postgres engine takes a pgx.Tx, a
// SQLite engine a *sql.Tx. Nothing was done in it.
var ErrWrongTx = errors.New("bulk: transaction of the wrong kind for this engine")

// ErrTxUnusable is matched by the error of a SubmitTx that failed and could
// not undo what it had done in the caller's transaction (the connection
// broke, or its context ended mid-statement): that transaction can only be
// rolled back.
var ErrTxUnusable = errors.New("bulk: the caller's transaction can only be rolled back")

// SubmitTx is Submit inside the caller's transaction tx, as River's
// InsertTx: the run, its journal rows and its River jobs are written in tx
// and exist once the caller commits it, together with whatever else the
// caller wrote there (the business change that calls for the
// restriction); a rollback leaves no trace of them. SubmitTx never commits
// or rolls back tx.
//
// tx is a pgx.Tx for an engine of OpenPostgres or of a Postgres DSN, and a
// *sql.Tx of the engine's own *sql.DB for a SQLite engine; another kind
// fails with ErrWrongTx. A Postgres *sql.Tx (pgx's stdlib or lib/pq) is
// not taken, for three reasons: the engine's River client is River's pgx
// driver, whose InsertManyTx takes only a pgx.Tx, so a second client on
// River's riverdatabasesql driver would be needed; that driver module
// brings lib/pq and tidwall's gjson and sjson into every program that
// links bulk; and the journal binds its batches as Go slices (Postgres
// arrays), which database/sql hands on only through pgx's stdlib, not
// lib/pq, so half of the *sql.Tx that callers hold would fail anyway.
// Take a pgx.Tx from the same pool instead (pgxpool.Pool.Begin; with
// pgx's stdlib, the *sql.DB's pool is a pgxpool.Pool already).
//
// The checks are Submit's: CheckKey and CheckID of every subject (a
// *SubjectError), a *RunFinishedError for a finished run unless
// run.AcceptFinished, a *ConflictError for one that differs. Unlike
// Submit, a new run is written whole in tx, not a batch per transaction:
// the caller's transaction is the unit, so hold its size in mind (with
// SQLite, tx holds the one writer throughout).
//
// SubmitTx works under a savepoint of tx. On any error it rolls back to
// it, so that tx holds nothing of the submission and is usable again (on
// Postgres too, where a failed statement would otherwise abort tx); the
// Submitted it returns then counts no job. If even that rollback fails,
// the error also matches ErrTxUnusable.
//
// SubmitTx uses no other connection than tx's, so a SQLite database of
// one connection does not deadlock. It does not refresh the journal's
// statistics, as Submit of a large run does.
func (e *Engine) SubmitTx(ctx context.Context, tx any, run Run, subjects iter.Seq2[Subject, error]) (*Submitted, error) {
	if err := run.validate(); err != nil {
		return nil, err
	}
	in := func(ctx context.Context, fn func(execer, insertFunc) error) error {
		return e.st.inCallerTx(ctx, tx, fn)
	}
	if err := in(ctx, func(t execer, _ insertFunc) error {
		_, err := t.exec(ctx, `SAVEPOINT restrict_bulk_submit`)
		return err
	}); err != nil {
		if errors.Is(err, ErrWrongTx) {
			return nil, err
		}
		return nil, fmt.Errorf("bulk: SubmitTx: %w", err)
	}
	s := e.newSubmission(run, in)
	fresh := false
	err := s.inTx(ctx, func(t execer, _ insertFunc) error {
		ri, err := s.lockedRun(ctx, t)
		fresh = ri == nil
		return err
	})
	switch {
	case err == nil && fresh:
		err = s.submitNew(ctx, subjects)
	case err == nil:
		err = s.resubmit(ctx, subjects)
	}
	end := []string{`RELEASE SAVEPOINT restrict_bulk_submit`}
	if err != nil {
		end = []string{`ROLLBACK TO SAVEPOINT restrict_bulk_submit`, `RELEASE SAVEPOINT restrict_bulk_submit`}
		s.out.Jobs, s.out.Existing = 0, 0
	}
	// Ending the savepoint must not depend on a context that may have
	// ended: undoing is what keeps tx usable.
	uctx := context.WithoutCancel(ctx)
	eerr := in(uctx, func(t execer, _ insertFunc) error {
		for _, q := range end {
			if _, err := t.exec(uctx, q); err != nil {
				return err
			}
		}
		return nil
	})
	if eerr != nil {
		if err == nil {
			return &s.out, fmt.Errorf("%w: bulk: SubmitTx: %w", ErrTxUnusable, eerr)
		}
		err = errors.Join(err, fmt.Errorf("%w: undoing the submission: %w", ErrTxUnusable, eerr))
	}
	return &s.out, err
}

// inCallerTx runs fn in the caller's transaction caller, given both as the
// journal's and as River's; it never commits or rolls it back.
func (r *riverDB[TTx, TDriver]) inCallerTx(ctx context.Context, caller any, fn func(execer, insertFunc) error) error {
	rtx, ok := caller.(TTx)
	if !ok || reflect.ValueOf(caller).Kind() == reflect.Pointer && reflect.ValueOf(caller).IsNil() {
		return fmt.Errorf("%w: SubmitTx wants a %v, got %T", ErrWrongTx, reflect.TypeFor[TTx](), caller)
	}
	return fn(journalTx(rtx), func(p []river.InsertManyParams) ([]*rivertype.JobInsertResult, error) {
		return r.inserter.InsertManyTx(ctx, rtx, p)
	})
}

// journalTx is a transaction of River's, as the journal's.
func journalTx(t any) execer {
	switch t := t.(type) {
	case pgx.Tx:
		return pgxTx{t}
	case *sql.Tx:
		return sqlTx{t}
	}
	panic(fmt.Sprintf("bulk: no journal for a %T", t)) // the two drivers' are above
}
