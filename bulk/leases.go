package bulk

import (
	"context"
	"errors"
	"math"
	"sync"
	"time"
)

// Request slots leased from the database: how every process working one
// Postgres database keeps to one rate per provider. The provider's row
// holds next_slot, the time of the next request slot nobody has taken. A
// process that needs slots takes n of them in one statement, moving
// next_slot on by n / rate (never from before now), and sends its
// requests at those times; so across every process the provider gets at
// most its rate, spread evenly, however many processes there are (a
// generic cell rate algorithm, leased in batches). Nothing needs giving
// back: a slot left unused by a process that died is only a moment of
// the past, and the capacity returns by itself as time passes.
const (
	// leaseAhead is how much of the rate one lease takes at most: a lease
	// per 200 ms of requests per process, however fast the rate.
	leaseAhead = 200 * time.Millisecond
	// slotLate is how late a slot may still be used. An older one is
	// dropped: sent late beside the slots of now, it would exceed the rate.
	slotLate = 50 * time.Millisecond
)

// errLocalLimits is a store's answer to a lease when the local limiter is
// the global one (SQLite: one process), or when the database holds no
// rate for the provider.
var errLocalLimits = errors.New("bulk: the rate is kept in this process")

// leaseFunc takes n request slots of a provider and returns the first
// one's time, in this process's clock, and the time between two slots.
type leaseFunc func(ctx context.Context, n int) (first time.Time, every time.Duration, err error)

// slots are the request slots a process leased and has not used yet.
type slots struct {
	lease leaseFunc

	mu      sync.Mutex
	at      []time.Time // ascending
	leasing chan struct{}
	waiting int
	rate    float64 // the rate in force, as the last lease or poll saw it
}

// take waits for the next slot. It fails without waiting, with
// errLimiterRefused, when that slot comes after ctx's deadline, and with
// errLocalLimits when the database holds no rate for the provider.
func (s *slots) take(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	// waiting counts the callers without a slot: a lease takes as many.
	s.waiting++
	got := false
	defer func() {
		if !got {
			s.waiting--
		}
	}()
	for {
		now := time.Now()
		for len(s.at) > 0 && s.at[0].Before(now.Add(-slotLate)) {
			s.at = s.at[1:]
		}
		if len(s.at) > 0 {
			at := s.at[0]
			if d, ok := ctx.Deadline(); ok && d.Before(at) {
				return errLimiterRefused
			}
			s.at = s.at[1:]
			s.waiting--
			got = true
			s.mu.Unlock()
			err := sleepUntil(ctx, at)
			s.mu.Lock()
			return err
		}
		if s.leasing != nil {
			done := s.leasing
			s.mu.Unlock()
			select {
			case <-done:
			case <-ctx.Done():
			}
			s.mu.Lock()
			if err := ctx.Err(); err != nil {
				return err
			}
			continue
		}
		n := max(1, min(s.waiting, int(math.Ceil(s.rate*leaseAhead.Seconds()))))
		done := make(chan struct{})
		s.leasing = done
		s.mu.Unlock()
		first, every, err := s.lease(ctx, n)
		s.mu.Lock()
		s.leasing = nil
		close(done)
		if err != nil {
			return err
		}
		s.rate = float64(time.Second) / float64(every)
		for i := range n {
			s.at = append(s.at, first.Add(time.Duration(i)*every))
		}
	}
}

// sleepUntil waits until t or until ctx ends.
func sleepUntil(ctx context.Context, t time.Time) error {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// gate bounds a provider's calls in flight in this process to its share
// of the provider's concurrency across processes; a negative share is no
// bound.
type gate struct {
	mu     sync.Mutex
	share  int
	inUse  int
	change chan struct{} // closed when share or inUse goes down or share up
}

func newGate() *gate { return &gate{share: -1, change: make(chan struct{})} }

// enter waits for room, until ctx ends.
func (g *gate) enter(ctx context.Context) error {
	g.mu.Lock()
	for g.share >= 0 && g.inUse >= g.share {
		wake := g.change
		g.mu.Unlock()
		select {
		case <-wake:
		case <-ctx.Done():
			return ctx.Err()
		}
		g.mu.Lock()
	}
	g.inUse++
	g.mu.Unlock()
	return nil
}

func (g *gate) leave() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.inUse--
	g.wake()
}

func (g *gate) setShare(n int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if n != g.share {
		g.share = n
		g.wake()
	}
}

func (g *gate) wake() {
	close(g.change)
	g.change = make(chan struct{})
}
