package console

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict/bulk"
	"github.com/restrictkit/restrict/internal/testkit"
)

// One read of a run's progress serves everyone who asks within
// eventsEvery; a finished run is read once; a failed read is not kept.
func TestProgressCacheReadsOncePerInterval(t *testing.T) {
	clock := testkit.NewClock(time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC))
	var reads atomic.Int64
	finished, fail := false, false
	var mu sync.Mutex
	read := func(_ context.Context, name string) (*bulk.RunInfo, *bulk.Progress, error) {
		reads.Add(1)
		mu.Lock()
		defer mu.Unlock()
		if fail {
			return nil, nil, errors.New("the database is away")
		}
		run := &bulk.RunInfo{Name: name, Providers: []string{"purse"}}
		if finished {
			run.FinishedAt = clock.Now()
		}
		pr := &bulk.Progress{Run: name, All: bulk.Counts{Total: 10, OK: reads.Load()}, Providers: []bulk.Counts{{Provider: "purse"}}}
		return run, pr, nil
	}
	c := newProgressCache(read, clock.Now)
	ctx := context.Background()

	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			_, pr, err := c.get(ctx, "r")
			assert.NoError(t, err)
			assert.Equal(t, int64(1), pr.All.OK)
		})
	}
	wg.Wait()
	assert.Equal(t, int64(1), reads.Load(), "twenty viewers, one read")

	// Each caller has its own copy.
	run, pr, err := c.get(ctx, "r")
	require.NoError(t, err)
	run.Providers[0], pr.Providers[0].Provider = "changed", "changed"
	run, pr, _ = c.get(ctx, "r")
	assert.Equal(t, "purse", run.Providers[0])
	assert.Equal(t, "purse", pr.Providers[0].Provider)

	clock.Advance(eventsEvery)
	_, pr, _ = c.get(ctx, "r")
	assert.Equal(t, int64(2), pr.All.OK, "read again after eventsEvery")

	mu.Lock()
	fail = true
	mu.Unlock()
	clock.Advance(eventsEvery)
	_, _, err = c.get(ctx, "r")
	require.Error(t, err)
	mu.Lock()
	fail, finished = false, true
	mu.Unlock()
	run, _, err = c.get(ctx, "r")
	require.NoError(t, err, "a failed read is not kept")
	require.True(t, run.Finished())
	n := reads.Load()
	clock.Advance(time.Hour)
	_, _, err = c.get(ctx, "r")
	require.NoError(t, err)
	assert.Equal(t, n, reads.Load(), "a finished run's counts are final: not read again")

	// A run nobody asked for in a while is forgotten.
	clock.Advance(progressIdle + time.Second)
	_, _, _ = c.get(ctx, "other")
	c.mu.Lock()
	_, kept := c.runs["r"]
	c.mu.Unlock()
	assert.False(t, kept)
}
