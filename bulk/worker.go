package bulk

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/riverqueue/river"

	"github.com/restrictkit/restrict"
)

// JobKind is the River kind of every bulk job.
const JobKind = "restrict_bulk"

// JobArgs is a job: one subject at one provider for one run. It carries no
// credential, only what identifies the work; the worker process supplies
// the provider's client, registered under the provider's name.
//
// River's unique jobs are keyed on (run, subject, provider): the fields
// tagged river:"unique".
type JobArgs struct {
	Run      string      `json:"run" river:"unique"`
	Subject  string      `json:"subject" river:"unique"`
	Provider string      `json:"provider" river:"unique"`
	Target   string      `json:"target"`
	Op       restrict.Op `json:"action"`
	Reason   string      `json:"reason,omitempty"`
}

// Kind is JobKind.
func (JobArgs) Kind() string { return JobKind }

// verdict is what one attempt of a job comes to.
type verdict int

const (
	final  verdict = iota // journal the outcome and complete the job
	retry                 // a retryable failure: River retries with backoff
	snooze                // rate limited, or the worker is stopping: try later, no attempt used
)

// attempt is the result of calling the provider once, and what to do
// about it.
type attempt struct {
	verdict verdict
	wait    time.Duration // for snooze
	rec     record
	err     error // for retry: the error River records
}

// worker is the River worker of bulk jobs: it calls the job's provider,
// applies the policy (call) and journals what came of it. It takes what it
// needs from the engine, which never hears from it but through events and
// health.
type worker struct {
	river.WorkerDefaults[JobArgs]
	cfg       Config
	st        store
	providers *registry
	events    *events
	health    *health
	tel       *telemetry // nil in a worker built without an engine

	// hard ends when a hard stop (StopAndCancel) begins: workers holding
	// an outcome through an outage let go of it then, so that the stop,
	// and Close, wait for no database.
	hard      atomic.Pointer[hardStop]
	quit      chan struct{} // closed by close
	closeOnce sync.Once
	// working holds the jobs being worked, so that the engine tells a
	// lost fetch from a job in flight.
	working inFlight
}

type hardStop struct {
	ctx    context.Context
	cancel context.CancelFunc
}

func newWorker(cfg Config, st store, providers *registry, ev *events, h *health) *worker {
	return &worker{cfg: cfg, st: st, providers: providers, events: ev, health: h, quit: make(chan struct{})}
}

// armHardStop gives the attempts from now on a hard stop that stopHard
// ends.
func (w *worker) armHardStop() {
	ctx, cancel := context.WithCancel(context.Background())
	w.hard.Store(&hardStop{ctx: ctx, cancel: cancel})
}

func (w *worker) stopHard() {
	if h := w.hard.Load(); h != nil {
		h.cancel()
	}
}

// hardStopped is a context that ends when a hard stop of the working
// client begins; never, for a River client of the caller's own.
func (w *worker) hardStopped() context.Context {
	if h := w.hard.Load(); h != nil {
		return h.ctx
	}
	return context.Background()
}

// close lets go of the outcomes held through an outage; a second call does
// nothing.
func (w *worker) close() { w.closeOnce.Do(func() { close(w.quit) }) }

// Timeout bounds one attempt: the limiter's wait and the provider call.
func (w *worker) Timeout(*river.Job[JobArgs]) time.Duration {
	return w.cfg.JobTimeout
}

// NextRetry is when a job River retries (an unavailable provider) is
// tried again: by Config.RetryPolicy, so that a River client of the
// caller's own (AddWorkers) spaces bulk's retries as the engine's own
// client does. Without a RetryPolicy it is the zero time, which leaves
// the choice to the working client's policy (River's default in the
// engine's own).
func (w *worker) NextRetry(job *river.Job[JobArgs]) time.Time {
	if w.cfg.RetryPolicy == nil {
		return time.Time{}
	}
	return w.cfg.RetryPolicy.NextRetry(job.JobRow)
}

// Work runs one attempt. A final outcome is journaled in the transaction
// that completes the job, so the journal and the queue never disagree; if
// that transaction fails, the job is snoozed rather than left to River's
// retry count, because a job that River discarded would have no journal
// row. Calling the provider again on the next try is harmless: every
// queued action is idempotent.
func (w *worker) Work(ctx context.Context, job *river.Job[JobArgs]) error {
	w.working.begin(job.ID)
	defer w.working.end(job.ID)
	var meta struct {
		Snoozes int `json:"snoozes"`
	}
	_ = json.Unmarshal(job.Metadata, &meta) // River writes it; a missing count is zero
	at := w.call(ctx, job, meta.Snoozes)

	// Journal writes must happen even when the worker is being stopped and
	// the job's context is cancelled: the provider has answered, and losing
	// the answer would mean calling it again.
	// A hard stop lets go of a note the database does not take within
	// noteGrace, so that the stop waits for no outage, but not of one it
	// takes at once: the requests of a call the stop cut short are still
	// recorded.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), journalTimeout)
	defer cancel()
	defer context.AfterFunc(w.hardStopped(), func() { time.AfterFunc(noteGrace, cancel) })()

	a := job.Args
	switch at.verdict {
	case snooze:
		if at.rec.class != "" || at.rec.httpAttempts > 0 {
			w.note(wctx, job, at.rec, false)
		}
		if at.rec.class != "" {
			w.events.emit(Event{Kind: EventSnoozed, Run: a.Run, Subject: a.Subject, Provider: a.Provider,
				Class: at.rec.class, Attempt: job.Attempt, Wait: at.wait})
		}
		return river.JobSnooze(at.wait)
	case retry:
		w.note(wctx, job, at.rec, true)
		w.events.emit(Event{Kind: EventRetry, Run: a.Run, Subject: a.Subject, Provider: a.Provider,
			Class: at.rec.class, Attempt: job.Attempt})
		return at.err
	}

	if err := w.journal(ctx, job, at.rec); err != nil {
		w.cfg.Logger.ErrorContext(ctx, "bulk: could not journal an outcome; the job will be tried again",
			slog.String("run", a.Run), slog.String("provider", a.Provider), slog.String("error", err.Error()))
		return river.JobSnooze(w.cfg.backoff(1))
	}
	w.events.emit(Event{Kind: EventOutcome, Run: a.Run, Subject: a.Subject, Provider: a.Provider,
		Result: at.rec.result, Class: at.rec.class, Attempt: job.Attempt})
	w.tel.outcome(ctx, a.Provider, at.rec.result)
	return nil
}

// noteGrace is how long a note may take once a hard stop began.
const noteGrace = time.Second

// journal completes a job with its final outcome, riding out a database
// outage: while the database answers no ping, the write is tried again
// with a backoff (100 ms doubling to 5 s), so that an answer the provider
// gave is not thrown away and asked for again. It gives up once the job's
// attempt has run for halfway between JobTimeout and RescueAfter, before
// River's rescuer could hand the job to another worker; the job is then
// snoozed (or, if River cannot record even that, rescued later) and its
// call made again. An error from a database that does answer (a
// constraint, a trigger) is not waited out: the job is snoozed at once.
func (w *worker) journal(ctx context.Context, job *river.Job[JobArgs], rec record) error {
	started := time.Now()
	if job.AttemptedAt != nil {
		started = *job.AttemptedAt
	}
	giveUp := started.Add(w.cfg.JobTimeout + (w.cfg.RescueAfter-w.cfg.JobTimeout)/2)
	delay := minDatabaseRetry
	for {
		// Longer than the commit's own timeout, so that a completion is
		// never abandoned while its batch may still commit.
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), journalTimeout+time.Second)
		stop := context.AfterFunc(w.hardStopped(), cancel)
		err := w.st.complete(cctx, job, rec)
		stop()
		cancel()
		if err == nil {
			w.health.ok()
			return nil
		}
		w.health.fail(err)
		if time.Now().Add(delay).After(giveUp) || w.ping(ctx) == nil {
			return err
		}
		w.cfg.Logger.WarnContext(ctx, "bulk: the database is unavailable; holding an outcome until it is back",
			slog.String("run", job.Args.Run), slog.String("provider", job.Args.Provider), slog.String("error", err.Error()))
		select {
		case <-time.After(delay):
		case <-w.quit:
			return err
		case <-w.hardStopped().Done():
			return err
		}
		delay = min(2*delay, maxDatabaseRetry)
	}
}

// ping reports whether the database answers.
func (w *worker) ping(ctx context.Context) error {
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
	defer cancel()
	return w.st.sqlDB().PingContext(pctx)
}

// note records a failed attempt on the pending row. It is best effort: the
// row is only informative until the job ends, and River keeps the error too.
func (w *worker) note(ctx context.Context, job *river.Job[JobArgs], rec record, counted bool) {
	err := w.st.inTx(ctx, func(t execer) error { return note(ctx, t, w.st, job.Args, rec, counted) })
	if err != nil {
		w.health.fail(err)
		w.cfg.Logger.WarnContext(ctx, "bulk: could not note a failed attempt",
			slog.String("run", job.Args.Run), slog.String("provider", job.Args.Provider), slog.String("error", err.Error()))
		return
	}
	w.health.ok()
}

// call runs one attempt of a job against its provider, and applies the
// policy of the issue:
//
//   - success: ok;
//   - ErrUnsupported: unsupported, final;
//   - ErrInvalidRequest, ErrUnauthorized, ErrForbidden, ErrNotFound,
//     ErrConflict: failed, final, never retried;
//   - ErrRateLimited: snooze for RetryAfter (or a backoff) and slow the
//     provider's limiter; after MaxSnoozes snoozes of one job, failed;
//   - ErrUnavailable, a timeout, a panic or an unclassified error: retried
//     with River's backoff (Config.RetryPolicy) until MaxAttempts job
//     attempts, then failed;
//   - the worker stopping while the call was in flight: snoozed for no
//     time, so the attempt is not counted and the next start takes it
//     (the HTTP requests it sent are);
//   - the rate limiter refusing a wait that would outlast JobTimeout,
//     before the call or before one of the SDK's retries: snoozed for a
//     backoff, without slowing the limiter (the provider did not ask).
func (w *worker) call(ctx context.Context, job *river.Job[JobArgs], snoozes int) attempt {
	a := job.Args
	p := w.providers.get(a.Provider)
	now := time.Now()
	rec := record{jobAttempt: job.Attempt, started: now}
	if p == nil {
		// Only queues of registered providers are worked, so this is a
		// job of a provider that a River client of the caller's own
		// works without registering it here.
		rec.result, rec.class, rec.message = ResultFailed, "error", "no restrictor registered for provider "+a.Provider
		rec.finished = now
		return attempt{verdict: final, rec: rec}
	}
	// The wait for the provider's limiter: its concurrency across
	// processes, then its rate.
	waitStart := time.Now()
	release, err := p.limiter.acquire(ctx)
	w.tel.waited(ctx, a.Provider, time.Since(waitStart))
	if err != nil {
		if ctx.Err() != nil && !errors.Is(context.Cause(ctx), context.DeadlineExceeded) {
			return attempt{verdict: snooze}
		}
		// The limiter's wait would outlast the job's timeout: come back
		// later instead of holding a worker slot.
		return attempt{verdict: snooze, wait: w.cfg.backoff(1)}
	}
	defer release()

	if l := p.limiter.forCall(); l != nil {
		ctx = restrict.ContextWithLimiter(ctx, l)
	}
	res, err := restrict.Do(ctx, p.r, a.Op, restrict.Target{ID: a.Target, Reason: a.Reason})
	rec.finished = time.Now()
	if err == nil {
		p.limiter.ok()
		rec.result = ResultOK
		rec.state, rec.providerAction = string(res.State), string(res.Action)
		rec.httpStatus, rec.httpAttempts, rec.requestID = res.StatusCode, res.Attempts, res.RequestID
		if rec.httpAttempts == 0 {
			rec.httpAttempts = 1
		}
		return attempt{verdict: final, rec: rec}
	}

	// The class name is what the journal row says; the policy goes by
	// the sentinels.
	rec.class = restrict.ClassName(err)
	var ae *restrict.APIError
	if errors.As(err, &ae) {
		rec.code, rec.message = ae.Code, ae.Message
		rec.httpStatus, rec.httpAttempts, rec.requestID = ae.StatusCode, ae.Attempts, ae.RequestID
	}
	if errors.Is(err, errLimiterRefused) {
		// The SDK's wait before a retry would outlast the job's timeout:
		// our own pacing, not the provider's. The requests already sent
		// are recorded, and the job comes back later.
		return attempt{verdict: snooze, wait: w.cfg.backoff(1), rec: record{httpAttempts: rec.httpAttempts, started: now}}
	}
	if rec.message == "" {
		rec.message = err.Error()
	}
	rec.message = cut(rec.message, 1000)

	// In ClassName's order, so that an error of two classes is taken for
	// the one its row names.
	switch {
	case errors.Is(err, restrict.ErrInvalidRequest), errors.Is(err, restrict.ErrUnauthorized),
		errors.Is(err, restrict.ErrForbidden), errors.Is(err, restrict.ErrNotFound), errors.Is(err, restrict.ErrConflict):
		rec.result = ResultFailed
		return attempt{verdict: final, rec: rec}
	case errors.Is(err, restrict.ErrRateLimited):
		p.limiter.slow()
		if snoozes >= w.cfg.MaxSnoozes {
			rec.result = ResultFailed
			return attempt{verdict: final, rec: rec}
		}
		wait := time.Duration(0)
		if ae != nil {
			wait = ae.RetryAfter
		}
		if wait <= 0 {
			wait = w.cfg.backoff(snoozes + 1)
		}
		return attempt{verdict: snooze, wait: wait, rec: rec}
	case errors.Is(err, restrict.ErrUnavailable):
	case errors.Is(err, restrict.ErrUnsupported):
		rec.result = ResultUnsupported
		return attempt{verdict: final, rec: rec}
	}

	// Unavailable, or no class at all.
	var pe *restrict.PanicError
	switch {
	case errors.Is(err, restrict.ErrUnavailable):
	case errors.As(err, &pe):
		rec.class = "panic"
	case ctx.Err() != nil && errors.Is(context.Cause(ctx), context.DeadlineExceeded):
		rec.class = "timeout"
	case ctx.Err() != nil:
		// The worker is stopping: the call was cut short, not failed. Its
		// requests may have reached the provider, so they are recorded.
		return attempt{verdict: snooze, rec: record{httpAttempts: rec.httpAttempts, started: now}}
	default:
		rec.class = "error"
	}
	if job.Attempt >= w.cfg.MaxAttempts {
		rec.result = ResultFailed
		return attempt{verdict: final, rec: rec}
	}
	rec.finished = time.Time{}
	return attempt{verdict: retry, rec: rec, err: err}
}

// cut shortens s to at most n bytes on a rune boundary.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
