package bulk

import (
	"errors"
	"fmt"
	"iter"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/restrictkit/restrict"
)

// OutcomeResult is the final result of one (run, subject, provider) in the journal.
type OutcomeResult string

// The results an outcome can have. ResultPending is the result of a job not
// finished yet; the other three are final.
const (
	ResultPending     OutcomeResult = "pending"
	ResultOK          OutcomeResult = "ok"
	ResultFailed      OutcomeResult = "failed"
	ResultUnsupported OutcomeResult = "unsupported"
)

// Subject is one customer: the caller's own key for them, and their ID at
// each provider where they have one.
type Subject struct {
	// Key is the caller's identifier for the customer, unique within a run.
	Key string
	// IDs maps a provider name (as registered with Engine.Register) to the
	// customer's ID at that provider: a customer ID, wallet UUID, account ID.
	IDs map[string]string
}

// Run describes a bulk run. Its Name identifies it: submitting a run with the
// same name again adds only what is not there yet.
type Run struct {
	// Name identifies the run, for example "sanctions-2026-11-30".
	Name string
	// Op is what every job of the run does.
	Op restrict.Op
	// Reason is passed to every provider call as restrict.Target.Reason.
	Reason string
	// Providers names the providers the run covers. A subject gets a job at
	// each of them where it has an ID. When empty, the run covers every
	// provider its subjects name.
	Providers []string
	// AcceptFinished makes submitting a finished run again succeed and add
	// nothing; the subjects must still match. Without it, Submit of a
	// finished run's name fails with a *RunFinishedError: a run that has
	// done its work is never resumed by mistake in place of a new one.
	AcceptFinished bool
	// SubmittedBy names who submitted the run: a console token's name,
	// or the operator's user at the command. The first submission's is
	// kept. It is shown in reports; it is never a credential.
	SubmittedBy string
}

// RunInfo is a run as recorded in the database, so that any process can list
// runs and a worker can learn a run's action without being told.
type RunInfo struct {
	Name      string      `json:"name"`
	Op        restrict.Op `json:"action"`
	Reason    string      `json:"reason,omitempty"`
	Providers []string    `json:"providers"`
	Subjects  int64       `json:"subjects"` // distinct subjects with at least one job
	Jobs      int64       `json:"jobs"`     // one per (subject, provider)
	CreatedAt time.Time   `json:"created_at"`
	// SubmittedAt is when the run's submission completed; zero while the
	// first is still streaming subjects in, or after it was cut short (a
	// re-submission then completes it). Once set, the run's subjects are
	// fixed.
	SubmittedAt time.Time `json:"submitted_at,omitzero"`
	// FinishedAt is zero until the submission has completed and every job
	// has a final outcome; then it is the time of the last outcome (or
	// SubmittedAt for a run without jobs).
	FinishedAt time.Time `json:"finished_at,omitzero"`
	// SubmittedBy is Run.SubmittedBy of the first submission.
	SubmittedBy string `json:"submitted_by,omitempty"`
}

// Finished reports whether the run's submission completed and every job of
// it has a final outcome.
func (r *RunInfo) Finished() bool { return !r.FinishedAt.IsZero() }

// Outcome is one row of the journal: what happened for one subject at one
// provider. It holds no credential: only what the provider answered, with
// the SDK's scrubbed messages.
type Outcome struct {
	Run      string        `json:"run"`
	Subject  string        `json:"subject"`
	Provider string        `json:"provider"`
	Target   string        `json:"target"` // the subject's ID at the provider
	Op       restrict.Op   `json:"action"`
	Result   OutcomeResult `json:"result"`
	// State is the target's state as the provider reported it, where it did.
	State restrict.State `json:"state,omitempty"`
	// ProviderAction is the provider's own verb: block, suspend, freeze, ...
	ProviderAction restrict.Action `json:"provider_action,omitempty"`
	// Error is set for failed and unsupported outcomes, and on a pending
	// one it is the last error that caused a retry.
	Error *OutcomeError `json:"error,omitempty"`
	// HTTPStatus is the HTTP status of the last answer, where there was one.
	HTTPStatus int `json:"http_status,omitempty"`
	// HTTPAttempts adds up the HTTP attempts of every job attempt.
	HTTPAttempts int `json:"http_attempts"`
	// HTTPAttemptsLowerBound says that some job attempt never reported its
	// HTTP attempts (a worker died during its call), so it is counted as
	// one and HTTPAttempts may be short of what was sent.
	HTTPAttemptsLowerBound bool `json:"http_attempts_lower_bound,omitempty"`
	// JobAttempts counts the times the job was worked (a snooze for a rate
	// limit does not count).
	JobAttempts int       `json:"job_attempts"`
	RequestID   string    `json:"request_id,omitempty"`
	StartedAt   time.Time `json:"started_at,omitzero"`
	FinishedAt  time.Time `json:"finished_at,omitzero"`
}

// OutcomeError is the failure behind an outcome.
type OutcomeError struct {
	// Class is restrict.ClassName of the error ("not_found", "unavailable",
	// ...), or, for an error that matches no class, "timeout" (the job's
	// time ran out), "panic" (the restrictor panicked) or "error".
	Class string `json:"class"`
	// Code is the provider's own error code, where it sent one.
	Code string `json:"code,omitempty"`
	// Message is the provider's message, already scrubbed of secrets by the
	// SDK, cut to 1,000 bytes.
	Message string `json:"message,omitempty"`
}

// Counts is a run's progress at one provider, or over all of them.
type Counts struct {
	Provider    string `json:"provider,omitempty"`
	Total       int64  `json:"total"`
	Pending     int64  `json:"pending"`
	OK          int64  `json:"ok"`
	Failed      int64  `json:"failed"`
	Unsupported int64  `json:"unsupported"`
	// Restricted, Active and Unknown split the OK outcomes by the state the
	// provider reported: restricted, active, or anything else (no state
	// included). For a status run they are the proof an operator reads.
	Restricted int64 `json:"restricted"`
	Active     int64 `json:"active"`
	Unknown    int64 `json:"unknown"`
}

// Done counts the final outcomes.
func (c Counts) Done() int64 { return c.OK + c.Failed + c.Unsupported }

func (c *Counts) add(r OutcomeResult, state restrict.State, n int64) {
	c.Total += n
	switch r {
	case ResultPending:
		c.Pending += n
	case ResultOK:
		c.OK += n
		switch state {
		case restrict.StateRestricted:
			c.Restricted += n
		case restrict.StateActive:
			c.Active += n
		default:
			c.Unknown += n
		}
	case ResultFailed:
		c.Failed += n
	case ResultUnsupported:
		c.Unsupported += n
	}
}

// Progress is a run's counts, read from the database: any process sharing
// the database sees the same.
type Progress struct {
	Run       string   `json:"run"`
	All       Counts   `json:"all"`
	Providers []Counts `json:"providers"` // sorted by provider name
}

// Finished reports whether every job of the run has a final outcome.
func (p *Progress) Finished() bool { return p.All.Pending == 0 }

// Filter selects outcomes. Run is required; the other fields narrow it.
type Filter struct {
	Run      string
	Provider string        // "" for every provider
	Result   OutcomeResult // "" for every result
	// State selects outcomes whose provider reported that state ("" for
	// any).
	State restrict.State
	// Class selects outcomes whose error has that class
	// (OutcomeError.Class; "" for any).
	Class string
	// SubjectPrefix selects subjects whose key starts with it ("" for
	// every subject).
	SubjectPrefix string
	// After starts the outcomes after this key, in the order they are
	// read (subject, then provider): the keyset of a paged listing.
	After *OutcomeKey
}

// OutcomeKey is an outcome's place in its run: the order outcomes are
// read in, and the cursor of a paged listing (Filter.After).
type OutcomeKey struct {
	Subject  string `json:"subject"`
	Provider string `json:"provider"`
}

// Subjects streams a fixed list of subjects into Submit.
func Subjects(s ...Subject) iter.Seq2[Subject, error] {
	return func(yield func(Subject, error) bool) {
		for _, sub := range s {
			if !yield(sub, nil) {
				return
			}
		}
	}
}

// ErrRunNotFound is returned for a run name that was never submitted.
var ErrRunNotFound = errors.New("bulk: no such run")

// ErrRunMismatch is matched by a *ConflictError whose Field is "action": a
// run submitted again under the same name with a different action. The
// journal of one run must not mix actions. Kept for callers written before
// ConflictError; match restrict.ErrConflict for every conflict.
var ErrRunMismatch = errors.New("bulk: a run of that name exists with another action")

// ErrRunFinished is matched by a *RunFinishedError.
var ErrRunFinished = errors.New("bulk: the run has finished")

// ErrNoDatabase is matched by the error of OpenReader for a database that
// does not exist or holds no bulk journal: a reader never creates one.
var ErrNoDatabase = errors.New("bulk: no bulk database")

// RunFinishedError is Submit's refusal of a run that has finished: its
// submission completed and every job has a final outcome. Nothing was
// added. Submit it under a new name to act again, or set
// Run.AcceptFinished to accept it as it is.
type RunFinishedError struct {
	Run        string
	FinishedAt time.Time
}

// Error names the run and when it finished.
func (e *RunFinishedError) Error() string {
	return fmt.Sprintf("bulk: run %q finished at %s; nothing was added (submit under a new name to act again)",
		e.Run, e.FinishedAt.UTC().Format(time.RFC3339))
}

// Is makes a *RunFinishedError match ErrRunFinished.
func (e *RunFinishedError) Is(target error) bool { return target == ErrRunFinished }

// ConflictError is Submit's refusal of a run whose name exists with
// something else: another action, another reason, or subjects whose
// targets differ. Nothing was added: a run is never merged with a
// different one.
type ConflictError struct {
	Run string
	// Field is what differs: "action", "reason" or "subjects".
	Field string
	// Subjects are the keys of up to five subjects that differ, for Field
	// "subjects": a subject with another ID at a provider, an ID added or
	// removed, a key repeated in the submission with other IDs, a subject
	// added to a run whose submission had completed, or a subject of the
	// run missing from the submission.
	Subjects []string
	// More is how many other subjects differ (for a new run, among those
	// read before Submit stopped).
	More int

	stored, submitted string // the run's and the submission's action or reason
}

// Error names the run, what differs and up to five subjects, quoted as
// Go quotes them, so that no control character reaches a terminal.
func (e *ConflictError) Error() string {
	switch e.Field {
	case "action", "reason":
		return fmt.Sprintf("bulk: run %q exists with another %s (%s, not %s); nothing was added", e.Run, e.Field, quoteKey(e.stored), quoteKey(e.submitted))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "bulk: run %q exists with other subjects: ", e.Run)
	for i, k := range e.Subjects {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quoteKey(k))
	}
	if e.More > 0 {
		fmt.Fprintf(&b, " and %d more", e.More)
	}
	b.WriteString(" differ; nothing was added")
	return b.String()
}

// Is makes a *ConflictError match restrict.ErrConflict, and
// ErrRunMismatch when the action differs.
func (e *ConflictError) Is(target error) bool {
	return target == restrict.ErrConflict || (target == ErrRunMismatch && e.Field == "action")
}

// nameRE is River's rule for queue names; a provider's queue is
// "restrict_" + its name, so provider names follow it too.
var nameRE = regexp.MustCompile(`^[a-z0-9]+(?:[_-]?[a-z0-9]+)*$`)

var errProviderName = errors.New("want 1 to 50 lowercase letters and digits, separated by single '_' or '-'")

func checkProvider(name string) error {
	if len(name) > 50 || !nameRE.MatchString(name) {
		return errProviderName
	}
	return nil
}

func validProvider(name string) error {
	if err := checkProvider(name); err != nil {
		return fmt.Errorf("bulk: provider name %s: %w", quoteKey(name), err)
	}
	return nil
}

func (r *Run) validate() error {
	if err := CheckKey(r.Name); err != nil {
		return fmt.Errorf("bulk: run name %s: %w", quoteKey(r.Name), err)
	}
	if err := checkText(r.Reason); err != nil {
		return fmt.Errorf("bulk: run %q: reason: %w", r.Name, err)
	}
	if err := checkText(r.SubmittedBy); err != nil {
		return fmt.Errorf("bulk: run %q: submitted by: %w", r.Name, err)
	}
	if !r.Op.Valid() {
		return fmt.Errorf("bulk: run %q: action %q: want restrict, lift or status", r.Name, r.Op)
	}
	for _, p := range r.Providers {
		if err := validProvider(p); err != nil {
			return err
		}
	}
	return nil
}

// queueName is the River queue of a provider: one queue per provider, so
// its MaxWorkers is the provider's concurrency.
func queueName(provider string) string { return "restrict_" + provider }

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
