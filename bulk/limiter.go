package bulk

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"golang.org/x/time/rate"

	"github.com/restrictkit/restrict"
)

// limiter is a provider's limits as this process keeps them: its rate,
// and its share of the provider's concurrency across processes (gate).
//
// The rate is kept in this process (lim) unless the database holds a rate
// for the provider and shares it between processes (Postgres): then the
// requests wait for slots leased from the database (shared), and lim is
// only what it falls back to while the database holds no rate.
//
// Kept here, after a 429 it halves its rate (down to a floor of 1/16 of
// the configured rate), and each success after that gives back 1/32 of
// the configured rate, so it returns to the full rate after a few dozen
// calls once the provider stops complaining: additive increase,
// multiplicative decrease, as TCP does. Shared, the database's row keeps
// the same slow-down for every process (see limits.go).
//
// It bounds HTTP requests, not calls: the worker waits on it once before a
// call, and the SDK's transport waits on it (through the call's context,
// restrict.ContextWithLimiter) before every further request of that call,
// its retries and a resend after renewed credentials included.
type limiter struct {
	lim *rate.Limiter // rate.Inf while there is no limit

	mu   sync.Mutex
	own  rate.Limit // Limits.Rate: the rate while the database holds none
	full rate.Limit // 0: no limit
	cur  rate.Limit

	// shared is set while the database holds a rate for the provider.
	shared atomic.Bool
	slots  *slots // nil: the store keeps no shared limits
	gate   *gate
	// slowDown and credit are the 429s and the successes for the
	// database's slow-down, which the next poll writes.
	slowDown atomic.Bool
	credit   atomic.Int64
}

func newLimiter(perSecond float64, burst int) *limiter {
	l := &limiter{gate: newGate(), lim: rate.NewLimiter(rate.Inf, max(burst, 1))}
	if perSecond > 0 {
		l.own, l.full, l.cur = rate.Limit(perSecond), rate.Limit(perSecond), rate.Limit(perSecond)
		l.lim.SetLimit(l.cur)
	}
	return l
}

// acquire waits for the provider's concurrency to have room for a call,
// then for the call's first request slot; release ends the call. It fails
// at once when a wait would outlast ctx's deadline.
func (l *limiter) acquire(ctx context.Context) (release func(), err error) {
	if err := l.gate.enter(ctx); err != nil {
		return nil, err
	}
	if err := l.wait(ctx); err != nil {
		l.gate.leave()
		return nil, err
	}
	return l.gate.leave, nil
}

// wait blocks until a request may be sent. It fails at once when the wait
// would outlast ctx's deadline.
func (l *limiter) wait(ctx context.Context) error {
	if l.shared.Load() {
		err := l.slots.take(ctx)
		if !errors.Is(err, errLocalLimits) {
			return err
		}
		// The limit was removed from the database since the last poll.
		l.shared.Store(false)
	}
	return l.lim.Wait(ctx)
}

// errLimiterRefused marks a wait that the limiter refused because it would
// outlast the job's timeout: the worker's own pacing, not the provider's
// 429, so the job is put off without slowing the limiter down.
var errLimiterRefused = errors.New("bulk: the rate limiter's wait would outlast the job's timeout")

// forCall returns the restrict.Limiter for one call, which the worker has
// already waited on once: that wait pays for the call's first request.
// The worker waits itself so that a restrictor that never looks at its
// context (not an SDK client) is still held to the rate, once per call.
// It returns nil when there is no limit.
func (l *limiter) forCall() restrict.Limiter {
	if !l.shared.Load() && l.limit() == rate.Inf {
		return nil
	}
	c := &callLimiter{l: l}
	c.paid.Store(true)
	return c
}

// callLimiter is a provider's limiter as one call's requests wait on it.
type callLimiter struct {
	l    *limiter
	paid atomic.Bool
}

// Wait lets the call's first request go at once and waits on the
// provider's limiter for each one after it.
func (c *callLimiter) Wait(ctx context.Context) error {
	if c.paid.CompareAndSwap(true, false) {
		return nil
	}
	if err := c.l.wait(ctx); err != nil {
		if ctx.Err() != nil {
			return err
		}
		return fmt.Errorf("%w: %w", errLimiterRefused, err)
	}
	return nil
}

// slow follows a 429 of the provider.
func (l *limiter) slow() {
	if l.shared.Load() {
		l.slowDown.Store(true)
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.full == 0 {
		return
	}
	l.cur = max(l.cur/2, l.full/16)
	l.lim.SetLimit(l.cur)
}

// ok follows a success.
func (l *limiter) ok() {
	if l.shared.Load() {
		l.credit.Add(1)
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.full == 0 || l.cur >= l.full {
		return
	}
	l.cur = min(l.cur+l.full/32, l.full)
	l.lim.SetLimit(l.cur)
}

// limit is the rate kept here now.
func (l *limiter) limit() rate.Limit {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.full == 0 {
		return rate.Inf
	}
	return l.cur
}

// follow applies what the database holds for the provider: found says
// whether it has a row; rate (0: none) and slowed its rate and slow-down;
// share this process's part of its concurrency (negative: no bound).
// While the database holds no rate, the process keeps its own.
func (l *limiter) follow(found bool, perSecond, slowed float64, share int) {
	l.gate.setShare(share)
	if !found || perSecond <= 0 {
		l.shared.Store(false)
		l.mu.Lock()
		defer l.mu.Unlock()
		l.setFull(l.own)
		return
	}
	if l.slots != nil {
		l.slots.mu.Lock()
		l.slots.rate = perSecond * slowed
		l.slots.mu.Unlock()
		l.shared.Store(true)
		return
	}
	// Kept here, the database's rate replaces this process's own, with
	// the slow-down this process has kept.
	l.mu.Lock()
	defer l.mu.Unlock()
	l.setFull(rate.Limit(perSecond))
}

// setFull makes r the rate kept here (0: none), keeping the share of it
// that a slow-down left. l.mu is held.
func (l *limiter) setFull(r rate.Limit) {
	switch {
	case r == l.full:
		return
	case r == 0:
		l.cur = rate.Inf
	case l.full == 0:
		l.cur = r
	default:
		l.cur = l.cur * r / l.full
	}
	l.full = r
	l.lim.SetLimit(l.cur)
}
