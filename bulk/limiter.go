package bulk

import (
	"context"
	"sync"

	"golang.org/x/time/rate"
)

// limiter is a provider's rate limit in this process. After a 429 it halves
// its rate (down to a floor of 1/16 of the configured rate), and each
// success after that gives back 1/32 of the configured rate, so it returns
// to the full rate after a few dozen calls once the provider stops
// complaining: additive increase, multiplicative decrease, as TCP does.
//
// The limit is per process: N worker processes send up to N times the rate.
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
