package bulk

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/riverqueue/river"
)

// Submitted is what a submission added.
type Submitted struct {
	Subjects int64 // subjects read from the stream
	Jobs     int64 // jobs added now
	Existing int64 // (subject, provider) pairs already in the run, not added again
}

// Submit records run and adds a job per subject and provider where the
// subject has an ID, reading subjects from the stream in batches of
// Config.SubmitBatch: a run of any size is never held in memory.
//
// Every subject is checked before its batch is stored: its key with
// CheckKey, each ID it has at the run's providers with CheckID, and
// provider names as Register would. A subject that fails stops Submit
// with a *SubjectError naming it.
//
// A new run is stored a batch per transaction, so that a submission cut
// short (a crash, a failing stream) keeps what it committed, and
// submitting again completes it. A key repeated in the submission with
// other IDs is a conflict: the batch holding the repeat is not stored and
// Submit fails with a *ConflictError, but the batches before it stay
// stored and their jobs may be worked. The run stays incomplete
// (SubmittedAt zero) until a submission that agrees with them completes
// it.
//
// Submitting a run that exists is checked and stored in one transaction,
// rolled back on any refusal, so it either adds exactly what is missing or
// adds nothing. It is refused with a *RunFinishedError if the run has
// finished (unless run.AcceptFinished), and with a *ConflictError (which
// matches restrict.ErrConflict) if it has another action or reason, or if
// any subject differs: a key stored with other IDs (another ID, one added
// or removed), a key of the run missing from the submission, or a new key
// once the run's submission had completed. Resubmitting the same run,
// again after a crash halfway through, adds only the jobs not there yet.
// With SQLite, that transaction holds the database's one writer for the
// whole stream.
//
// Submit needs no registered provider: one process may submit a run that
// others work. The Submitted it returns counts what was committed, also
// when it fails.
func (e *Engine) Submit(ctx context.Context, run Run, subjects iter.Seq2[Subject, error]) (*Submitted, error) {
	if err := run.validate(); err != nil {
		return nil, err
	}
	s := e.newSubmission(run, e.st.submit)
	_, err := e.read.run(ctx, run.Name)
	switch {
	case errors.Is(err, ErrRunNotFound):
		err = s.submitNew(ctx, subjects)
	case err == nil:
		err = s.resubmit(ctx, subjects)
	}
	if err == nil && s.out.Jobs >= analyzeAfter {
		// A report read at once must not plan its pages by statistics
		// from before the run: Postgres's, until autovacuum comes by,
		// would sort the run for every page.
		if aerr := e.st.inTx(ctx, func(tx execer) error { return e.st.analyze(ctx, tx) }); aerr != nil {
			e.cfg.Logger.WarnContext(ctx, "bulk: could not analyze the journal", slog.String("run", run.Name), slog.String("error", aerr.Error()))
		}
	}
	return &s.out, err
}

// analyzeAfter is how many jobs a submission adds before the journal's
// statistics are brought up to date.
const analyzeAfter = 1000

// newSubmission is a submission of run whose transactions runTx runs.
func (e *Engine) newSubmission(run Run, runTx func(context.Context, func(execer, insertFunc) error) error) *submission {
	s := &submission{st: e.st, cfg: e.cfg, run: run, runTx: runTx, only: make(map[string]bool, len(run.Providers)), seen: make(map[string]bool)}
	for _, p := range run.Providers {
		s.only[p] = true
	}
	return s
}

// submission is one call of Submit or SubmitTx.
type submission struct {
	st  store
	cfg Config
	run Run
	// runTx runs fn in a transaction: one of its own for each call
	// (Submit), or always the caller's (SubmitTx).
	runTx func(ctx context.Context, fn func(tx execer, insert insertFunc) error) error
	only  map[string]bool // the run's providers; empty for all
	seen  map[string]bool // the providers the subjects named
	out   Submitted
	read  int // subjects read, for their position

	// complete is set when the run's submission had completed: its
	// subjects are fixed, and a new one is a conflict.
	complete  bool
	conflicts []string // the first five subjects that conflict
	more      int      // how many others
}

// entry is a checked subject: its key and its IDs at the run's providers.
type entry struct {
	key   string
	pairs map[string]string
}

func (s *submission) submitNew(ctx context.Context, subjects iter.Seq2[Subject, error]) error {
	recorded := false
	record := func(tx execer) error {
		if recorded {
			return nil
		}
		n, err := tx.exec(ctx, s.st.bind(`INSERT INTO {p}restrict_bulk_run (name, action, reason, providers, created_at, submitted_by) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING`),
			s.run.Name, string(s.run.Op), s.run.Reason, strings.Join(s.run.Providers, ","), time.Now().UTC(), s.run.SubmittedBy)
		if err != nil {
			return fmt.Errorf("bulk: recording run %q: %w", s.run.Name, err)
		}
		if n == 0 {
			return fmt.Errorf("bulk: run %q was created by another submission meanwhile; nothing of this one was stored: submit it again", s.run.Name)
		}
		recorded = true
		return nil
	}
	err := s.stream(subjects, func(batch []entry) error {
		return s.inTx(ctx, func(tx execer, insert insertFunc) error {
			if err := record(tx); err != nil {
				return err
			}
			if err := s.batch(ctx, tx, insert, batch); err != nil {
				return err
			}
			return s.conflictError()
		})
	})
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx execer, _ insertFunc) error {
		if err := record(tx); err != nil {
			return err
		}
		return s.finish(ctx, tx, nil)
	})
}

func (s *submission) resubmit(ctx context.Context, subjects iter.Seq2[Subject, error]) error {
	d := s.st
	return s.inTx(ctx, func(tx execer, insert insertFunc) error {
		ri, err := s.lockedRun(ctx, tx)
		if err != nil {
			return err
		}
		if ri == nil {
			return fmt.Errorf("bulk: run %q was deleted meanwhile; submit it again", s.run.Name)
		}
		switch {
		case ri.Finished() && !s.run.AcceptFinished:
			return &RunFinishedError{Run: s.run.Name, FinishedAt: ri.FinishedAt}
		case ri.Op != s.run.Op:
			return &ConflictError{Run: s.run.Name, Field: "action", stored: string(ri.Op), submitted: string(s.run.Op)}
		case ri.Reason != s.run.Reason:
			return &ConflictError{Run: s.run.Name, Field: "reason", stored: ri.Reason, submitted: s.run.Reason}
		}
		s.complete = !ri.SubmittedAt.IsZero()
		if err := d.createSubmitted(ctx, tx); err != nil {
			return err
		}
		err = s.stream(subjects, func(batch []entry) error {
			keys := make([]string, len(batch))
			for i, en := range batch {
				keys[i] = en.key
			}
			if err := d.addSubmitted(ctx, tx, keys); err != nil {
				return err
			}
			return s.batch(ctx, tx, insert, batch)
		})
		if err != nil {
			return err
		}
		// A subject of the run that this submission leaves out is a
		// conflict too: the run would otherwise be reported as if the
		// submission were all of it.
		err = tx.query(ctx, d.bind(`SELECT DISTINCT o.subject FROM {p}restrict_bulk_outcome o WHERE o.run = ?
			AND NOT EXISTS (SELECT 1 FROM restrict_bulk_submitted s WHERE s.subject = o.subject) ORDER BY o.subject`),
			[]any{s.run.Name}, func(scan func(...any) error) error {
				var key string
				if err := scan(&key); err != nil {
					return err
				}
				s.conflict(key)
				return nil
			})
		if err != nil {
			return fmt.Errorf("bulk: journal: %w", err)
		}
		if err := s.conflictError(); err != nil {
			return err
		}
		if err := d.dropSubmitted(ctx, tx); err != nil {
			return err
		}
		if s.complete {
			return nil // nothing was added
		}
		return s.finish(ctx, tx, ri.Providers)
	})
}

// lockedRun locks the run's row in tx, so that concurrent submissions of
// it take turns, and reads it: nil if the run is not stored.
func (s *submission) lockedRun(ctx context.Context, tx execer) (*RunInfo, error) {
	if err := s.st.lockRun(ctx, tx, s.run.Name); err != nil {
		return nil, err
	}
	var ri *RunInfo
	err := tx.query(ctx, s.st.bind(runSelect+` WHERE r.name = ?`), []any{s.run.Name}, func(scan func(...any) error) error {
		r, err := scanRun(scan)
		ri = &r
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("bulk: run %q: %w", s.run.Name, err)
	}
	return ri, nil
}

// inTx runs fn in one transaction (see runTx); what it counts is undone
// if fn fails.
func (s *submission) inTx(ctx context.Context, fn func(tx execer, insert insertFunc) error) error {
	before := s.out
	err := s.runTx(ctx, fn)
	if err != nil {
		s.out.Jobs, s.out.Existing = before.Jobs, before.Existing
	}
	return err
}

// stream reads subjects, checks each, and hands them to flush in batches
// of Config.SubmitBatch.
func (s *submission) stream(subjects iter.Seq2[Subject, error], flush func([]entry) error) error {
	batch := make([]entry, 0, s.cfg.SubmitBatch)
	for sub, err := range subjects {
		if err != nil {
			return fmt.Errorf("bulk: reading subjects: %w", err)
		}
		en, err := s.check(sub)
		if err != nil {
			return err
		}
		s.out.Subjects++
		batch = append(batch, en)
		if len(batch) == cap(batch) {
			if err := flush(batch); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	if len(batch) == 0 {
		return nil
	}
	return flush(batch)
}

// check applies CheckKey and CheckID to a subject and keeps its IDs at the
// run's providers.
func (s *submission) check(sub Subject) (entry, error) {
	s.read++
	refuse := func(field, provider string, err error) (entry, error) {
		return entry{}, &SubjectError{Run: s.run.Name, Position: s.read, Key: sub.Key, Field: field, Provider: provider, Err: err}
	}
	if err := CheckKey(sub.Key); err != nil {
		return refuse("key", "", err)
	}
	pairs := make(map[string]string, len(sub.IDs))
	for p, id := range sub.IDs {
		if id == "" || (len(s.only) > 0 && !s.only[p]) {
			continue
		}
		if len(s.only) == 0 && !s.seen[p] {
			if err := checkProvider(p); err != nil {
				return refuse("provider", p, err)
			}
		}
		if err := CheckID(id); err != nil {
			return refuse("id", p, err)
		}
		s.seen[p] = true
		pairs[p] = id
	}
	return entry{key: sub.Key, pairs: pairs}, nil
}

// batch compares a batch with what the journal holds for its keys and
// stores the subjects that are new, unless one conflicts. A key the
// journal holds must come with exactly the IDs stored for it: a subject's
// jobs are stored together, so a stored key was submitted whole, by an
// earlier submission or earlier in this one.
func (s *submission) batch(ctx context.Context, tx execer, insert insertFunc, batch []entry) error {
	unique := make([]entry, 0, len(batch))
	index := make(map[string]int, len(batch))
	for _, en := range batch {
		if i, ok := index[en.key]; ok {
			if maps.Equal(unique[i].pairs, en.pairs) {
				s.out.Existing += int64(len(en.pairs))
			} else {
				s.conflict(en.key)
			}
			continue
		}
		index[en.key] = len(unique)
		unique = append(unique, en)
	}
	keys := make([]string, len(unique))
	for i, en := range unique {
		keys[i] = en.key
	}
	stored, err := s.st.storedTargets(ctx, tx, s.run.Name, keys)
	if err != nil {
		return err
	}
	var rows []pendingRow
	for _, en := range unique {
		have, ok := stored[en.key]
		switch {
		case ok:
			if maps.Equal(have, en.pairs) {
				s.out.Existing += int64(len(en.pairs))
			} else {
				s.conflict(en.key)
			}
		case len(en.pairs) == 0:
		case s.complete:
			s.conflict(en.key)
		default:
			for _, p := range slices.Sorted(maps.Keys(en.pairs)) {
				rows = append(rows, pendingRow{subject: en.key, provider: p, target: en.pairs[p]})
			}
		}
	}
	if len(rows) == 0 || len(s.conflicts) > 0 {
		return nil
	}
	added, existing, err := s.insertJobs(ctx, tx, insert, rows)
	s.out.Jobs += added
	s.out.Existing += existing
	return err
}

func (s *submission) conflict(key string) {
	switch {
	case slices.Contains(s.conflicts, key):
	case len(s.conflicts) < 5:
		s.conflicts = append(s.conflicts, key)
	default:
		s.more++
	}
}

// conflictError is the submission's *ConflictError, or nil.
func (s *submission) conflictError() error {
	if len(s.conflicts) == 0 {
		return nil
	}
	return &ConflictError{Run: s.run.Name, Field: "subjects", Subjects: slices.Clone(s.conflicts), More: s.more}
}

// finish records the providers seen and the run's size, and marks its
// submission complete.
func (s *submission) finish(ctx context.Context, tx execer, stored []string) error {
	all := make(map[string]bool)
	for _, p := range slices.Concat(stored, s.run.Providers) {
		all[p] = true
	}
	maps.Copy(all, s.seen)
	_, err := tx.exec(ctx, s.st.bind(`UPDATE {p}restrict_bulk_run SET providers = ?,
		subjects = (SELECT count(DISTINCT subject) FROM {p}restrict_bulk_outcome WHERE run = ?),
		jobs = (SELECT count(*) FROM {p}restrict_bulk_outcome WHERE run = ?),
		submitted_at = ? WHERE name = ?`),
		strings.Join(sortedKeys(all), ","), s.run.Name, s.run.Name, time.Now().UTC(), s.run.Name)
	if err != nil {
		return fmt.Errorf("bulk: recording run %q: %w", s.run.Name, err)
	}
	return nil
}

// insertJobs creates the pending rows and the River jobs of rows, in tx.
func (s *submission) insertJobs(ctx context.Context, tx execer, insert insertFunc, rows []pendingRow) (added, existing int64, err error) {
	run := s.run
	created, err := s.st.insertPending(ctx, tx, run.Name, run.Op, rows)
	if err != nil {
		return 0, 0, err
	}
	params := make([]river.InsertManyParams, 0, len(created))
	for _, r := range rows {
		if !created[[2]string{r.subject, r.provider}] {
			continue
		}
		params = append(params, river.InsertManyParams{
			Args: JobArgs{Run: run.Name, Subject: r.subject, Provider: r.provider, Target: r.target, Op: run.Op, Reason: run.Reason},
			InsertOpts: &river.InsertOpts{
				Queue:       queueName(r.provider),
				MaxAttempts: s.cfg.MaxAttempts + crashMargin,
				UniqueOpts:  river.UniqueOpts{ByArgs: true},
			},
		})
	}
	existing = int64(len(rows) - len(params))
	if len(params) == 0 {
		return 0, existing, nil
	}
	res, err := insert(params)
	if err != nil {
		return 0, 0, fmt.Errorf("bulk: inserting jobs: %w", err)
	}
	for _, r := range res {
		if r.UniqueSkippedAsDuplicate {
			existing++
		} else {
			added++
		}
	}
	return added, existing, nil
}
