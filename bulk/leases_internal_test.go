package bulk

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Slots leased in batches are handed out one per request, in order, at
// their times; a lease takes as many slots as there are callers waiting,
// up to leaseAhead's worth; a slot past its time by more than slotLate is
// dropped; a slot after the caller's deadline is refused without a wait.
func TestSlotsTake(t *testing.T) {
	var mu sync.Mutex
	var leases []int
	next := time.Now()
	every := 10 * time.Millisecond // 100/s
	s := &slots{lease: func(ctx context.Context, n int) (time.Time, time.Duration, error) {
		time.Sleep(2 * time.Millisecond) // a database's round trip
		mu.Lock()
		defer mu.Unlock()
		leases = append(leases, n)
		first := next
		next = next.Add(time.Duration(n) * every)
		return first, every, nil
	}}
	ctx := context.Background()
	start := time.Now()
	for range 30 {
		require.NoError(t, s.take(ctx))
	}
	require.GreaterOrEqual(t, time.Since(start), 28*every, "30 slots 10 ms apart")
	require.Equal(t, 1, leases[0], "the first lease knows no rate yet")
	for _, n := range leases {
		require.LessOrEqual(t, n, 20, "at most leaseAhead of the rate")
	}

	// Twenty callers at once are served by fewer leases than callers.
	mu.Lock()
	leases = nil
	mu.Unlock()
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() { require.NoError(t, s.take(ctx)) })
	}
	wg.Wait()
	mu.Lock()
	require.Less(t, len(leases), 10)
	mu.Unlock()

	// A slot left unused for longer than slotLate is not sent late.
	mu.Lock()
	next = time.Now().Add(-time.Second)
	mu.Unlock()
	s.at = nil
	s.rate = 1000 // a lease of 200 slots, all in the past but the last few
	before := time.Now()
	require.NoError(t, s.take(ctx))
	for _, at := range s.at {
		require.True(t, at.After(before.Add(-slotLate)), "only slots of now are kept")
	}

	// A slot after the deadline is refused at once.
	mu.Lock()
	next = time.Now().Add(time.Second)
	mu.Unlock()
	s.at, s.rate = nil, 1
	dctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	refused := time.Now()
	require.ErrorIs(t, s.take(dctx), errLimiterRefused)
	require.Less(t, time.Since(refused), 50*time.Millisecond)
}

func TestShare(t *testing.T) {
	holders := []string{"a", "b", "c"}
	total := 0
	for _, h := range holders {
		total += share(10, holders, h)
	}
	require.Equal(t, 10, total, "the parts add up to the whole")
	require.Equal(t, 4, share(10, holders, "a"))
	require.Equal(t, 3, share(10, holders, "c"))
	require.Equal(t, 1, share(2, holders, "b"))
	require.Equal(t, 0, share(2, holders, "c"), "fewer slots than processes: the last get none")
	require.Equal(t, 0, share(10, holders, "d"), "not yet counted")
	require.Equal(t, -1, share(0, holders, "a"), "no bound")
}

// A gate holds calls to its share, lets the next in when one leaves, and
// follows a new share at once.
func TestGate(t *testing.T) {
	g := newGate()
	ctx := context.Background()
	require.NoError(t, g.enter(ctx), "no bound yet")
	g.leave()
	g.setShare(1)
	require.NoError(t, g.enter(ctx))
	entered := make(chan struct{})
	go func() {
		_ = g.enter(ctx)
		close(entered)
	}()
	select {
	case <-entered:
		t.Fatal("a second call entered a gate of one")
	case <-time.After(20 * time.Millisecond):
	}
	g.leave()
	<-entered
	g.setShare(0)
	dctx, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	defer cancel()
	require.ErrorIs(t, g.enter(dctx), context.DeadlineExceeded)
}
