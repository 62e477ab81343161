package bulk

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime/debug"
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
	Run      string `json:"run" river:"unique"`
	Subject  string `json:"subject" river:"unique"`
	Provider string `json:"provider" river:"unique"`
	Target   string `json:"target"`
	Action   Action `json:"action"`
	Reason   string `json:"reason,omitempty"`
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
func (e *Engine) call(ctx context.Context, job *river.Job[JobArgs], snoozes int) attempt {
	a := job.Args
	p := e.provider(a.Provider)
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
	if err := p.limiter.wait(ctx); err != nil {
		if ctx.Err() != nil && !errors.Is(context.Cause(ctx), context.DeadlineExceeded) {
			return attempt{verdict: snooze}
		}
		// The limiter's wait would outlast the job's timeout: come back
		// later instead of holding a worker slot.
		return attempt{verdict: snooze, wait: e.cfg.backoff(1)}
	}

	if l := p.limiter.forCall(); l != nil {
		ctx = restrict.ContextWithLimiter(ctx, l)
	}
	res, err := invoke(ctx, p, a)
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

	class := restrict.ClassName(err)
	rec.class = class
	var ae *restrict.APIError
	if errors.As(err, &ae) {
		rec.code, rec.message = ae.Code, ae.Message
		rec.httpStatus, rec.httpAttempts, rec.requestID = ae.StatusCode, ae.Attempts, ae.RequestID
	}
	if errors.Is(err, errLimiterRefused) {
		// The SDK's wait before a retry would outlast the job's timeout:
		// our own pacing, not the provider's. The requests already sent
		// are recorded, and the job comes back later.
		return attempt{verdict: snooze, wait: e.cfg.backoff(1), rec: record{httpAttempts: rec.httpAttempts, started: now}}
	}
	if rec.message == "" {
		rec.message = err.Error()
	}
	rec.message = cut(rec.message, 1000)

	switch class {
	case "unsupported":
		rec.result = ResultUnsupported
		return attempt{verdict: final, rec: rec}
	case "invalid_request", "unauthorized", "forbidden", "not_found", "conflict":
		rec.result = ResultFailed
		return attempt{verdict: final, rec: rec}
	case "rate_limited":
		p.limiter.slow()
		if snoozes >= e.cfg.MaxSnoozes {
			rec.result = ResultFailed
			return attempt{verdict: final, rec: rec}
		}
		wait := time.Duration(0)
		if ae != nil {
			wait = ae.RetryAfter
		}
		if wait <= 0 {
			wait = e.cfg.backoff(snoozes + 1)
		}
		return attempt{verdict: snooze, wait: wait, rec: rec}
	}

	// Unavailable, or no class at all.
	var pe *restrict.PanicError
	switch {
	case class != "":
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
	if job.Attempt >= e.cfg.MaxAttempts {
		rec.result = ResultFailed
		return attempt{verdict: final, rec: rec}
	}
	rec.finished = time.Time{}
	return attempt{verdict: retry, rec: rec, err: err}
}

// invoke calls the provider, turning a panic into an error as
// restrict.RestrictAll does: one bad restrictor must not kill the worker.
func invoke(ctx context.Context, p *provider, a JobArgs) (res *restrict.Result, err error) {
	defer func() {
		if v := recover(); v != nil {
			res, err = nil, &restrict.PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	t := restrict.Target{ID: a.Target, Reason: a.Reason}
	switch a.Action {
	case ActionRestrict:
		res, err = p.r.Restrict(ctx, t)
	case ActionLift:
		res, err = p.r.Lift(ctx, t)
	case ActionStatus:
		c, ok := p.r.(restrict.Checker)
		if !ok {
			return nil, &restrict.APIError{Provider: a.Provider, Operation: "Status", Class: restrict.ErrUnsupported,
				Message: "the registered restrictor has no Status (it is not a restrict.Checker)"}
		}
		res, err = c.Status(ctx, t)
	default:
		return nil, &restrict.APIError{Provider: a.Provider, Class: restrict.ErrInvalidRequest, Message: fmt.Sprintf("unknown action %q", a.Action)}
	}
	if err == nil && res == nil {
		err = &restrict.APIError{Provider: a.Provider, Class: restrict.ErrUnavailable, Message: "the restrictor returned neither a result nor an error"}
	}
	return res, err
}

// backoff is the wait before snooze n (1 for the first): exponential from
// Config.MinBackoff, capped at Config.MaxBackoff, with full jitter on the
// upper half so that a provider's failed jobs do not all come back at once.
func (c *Config) backoff(n int) time.Duration {
	d := c.MinBackoff
	for i := 1; i < n && d < c.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, c.MaxBackoff)
	return d/2 + rand.N(d/2+1)
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
