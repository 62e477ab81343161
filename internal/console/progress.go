package console

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/restrictkit/restrict/bulk"
)

// progressIdle is how long a run's progress is kept after it was last
// asked for.
const progressIdle = 10 * time.Minute

// readProgress reads a run and its progress from the database, the run
// first, so that the progress of a finished run is final.
type readProgress func(ctx context.Context, name string) (*bulk.RunInfo, *bulk.Progress, error)

// progressCache shares each run's progress between everyone looking at
// it: the run pages' live streams, the run, runs and report pages (the API
// reads afresh). Counting a run of 500,000 jobs takes 66-92 ms on either
// database (BenchmarkProgress), so a dozen browsers on one run, each
// reading every second, would take a core of the database (and, on
// SQLite, the connection the workers write through). With the cache a run
// is read at most once per eventsEvery however many look, and a finished
// run, whose counts no longer change, once.
type progressCache struct {
	read readProgress
	now  func() time.Time

	mu   sync.Mutex
	runs map[string]*runProgress
}

// runProgress is one run's last reading. Its mu is held while reading, so
// that everyone who asks meanwhile waits for that one read.
type runProgress struct {
	mu   sync.Mutex
	at   time.Time // when it was read; zero before the first read
	used time.Time // when it was last asked for
	run  bulk.RunInfo
	pr   bulk.Progress
}

func newProgressCache(read readProgress, now func() time.Time) *progressCache {
	return &progressCache{read: read, now: now, runs: make(map[string]*runProgress)}
}

// engineProgress reads from e.
func engineProgress(e *bulk.Engine) readProgress {
	return func(ctx context.Context, name string) (*bulk.RunInfo, *bulk.Progress, error) {
		run, err := e.Run(ctx, name)
		if err != nil {
			return nil, nil, err
		}
		pr, err := e.Progress(ctx, name)
		if err != nil {
			return nil, nil, err
		}
		return run, pr, nil
	}
}

// get returns the run called name and its progress, at most eventsEvery
// old (final, for a finished run). They are the caller's own copies. A
// failed read is not kept: the next caller reads again.
func (c *progressCache) get(ctx context.Context, name string) (*bulk.RunInfo, *bulk.Progress, error) {
	now := c.now()
	c.mu.Lock()
	rp := c.runs[name]
	if rp == nil {
		for k, old := range c.runs {
			// One being read is in use: it is not idle.
			if old.mu.TryLock() {
				if now.Sub(old.used) > progressIdle {
					delete(c.runs, k)
				}
				old.mu.Unlock()
			}
		}
		rp = &runProgress{}
		c.runs[name] = rp
	}
	c.mu.Unlock()

	rp.mu.Lock()
	defer rp.mu.Unlock()
	rp.used = now
	fresh := !rp.at.IsZero() && (rp.run.Finished() || now.Sub(rp.at) < eventsEvery)
	if !fresh {
		run, pr, err := c.read(ctx, name)
		if err != nil {
			return nil, nil, err
		}
		rp.at, rp.run, rp.pr = c.now(), *run, *pr
	}
	run, pr := rp.run, rp.pr
	run.Providers = slices.Clone(run.Providers)
	pr.Providers = slices.Clone(pr.Providers)
	return &run, &pr, nil
}
