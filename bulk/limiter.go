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

// limiter is a provider's rate limit in this process. After a 429 it halves
// its rate (down to a floor of 1/16 of the configured rate), and each
// success after that gives back 1/32 of the configured rate, so it returns
// to the full rate after a few dozen calls once the provider stops
// complaining: additive increase, multiplicative decrease, as TCP does.
//
// It bounds HTTP requests, not calls: the worker waits on it once before a
// call, and the SDK's transport waits on it (through the call's context,
// restrict.ContextWithLimiter) before every further request of that call,
// its retries and a resend after renewed credentials included.
type limiter struct {
	lim  *rate.Limiter // nil: no limit
	full rate.Limit

	mu  sync.Mutex
	cur rate.Limit
}

func newLimiter(perSecond float64, burst int) *limiter {
	if perSecond <= 0 {
		return &limiter{}
	}
	l := rate.Limit(perSecond)
	return &limiter{lim: rate.NewLimiter(l, max(burst, 1)), full: l, cur: l}
}

// wait blocks until a call may be made. It fails at once when the wait
// would outlast ctx's deadline.
func (l *limiter) wait(ctx context.Context) error {
	if l.lim == nil {
		return ctx.Err()
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
	if l.lim == nil {
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

func (l *limiter) slow() {
	if l.lim == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.cur = max(l.cur/2, l.full/16)
	l.lim.SetLimit(l.cur)
}

func (l *limiter) ok() {
	if l.lim == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.cur >= l.full {
		return
	}
	l.cur = min(l.cur+l.full/32, l.full)
	l.lim.SetLimit(l.cur)
}

// limit is the rate in force now.
func (l *limiter) limit() rate.Limit {
	if l.lim == nil {
		return rate.Inf
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.cur
}
