package testkit

import (
	"sync"
	"time"
)

// Clock is a settable clock, safe for concurrent use, to share between a
// client (restrict.WithClock(c.Now)) and a fake (SetClock(c.Now)).
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a Clock that reads at, in UTC, until advanced.
func NewClock(at time.Time) *Clock { return &Clock{now: at.UTC()} }

// Now reads the clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
