package bulk

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// A lost fetch is a job River marked running for this client whose fetch
// never came back: the connection broke after Postgres committed the
// fetch and before its answer arrived. No worker has the job, so without
// help it waits for River's rescuer, RescueAfter later (90 s by default),
// and an outage of a few seconds holds a run up for a minute and a half.
// The engine gives such jobs back at once: they were never worked, so
// nothing was sent and nothing is called twice.
const (
	// lostFetchEvery is how often a working engine looks for them.
	lostFetchEvery = 2 * time.Second
	// lostFetchAfter is how long ago a job must have been fetched to be
	// lost: River starts working a job it fetched at once.
	lostFetchAfter = 5 * time.Second
)

// inFlight is the set of jobs this process's worker is working.
type inFlight struct {
	mu   sync.Mutex
	jobs map[int64]struct{}
}

func (f *inFlight) begin(id int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.jobs == nil {
		f.jobs = make(map[int64]struct{})
	}
	f.jobs[id] = struct{}{}
}

func (f *inFlight) end(id int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.jobs, id)
}

func (f *inFlight) ids() []int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	ids := make([]int64, 0, len(f.jobs))
	for id := range f.jobs {
		ids = append(ids, id)
	}
	return ids
}

// releaseLostFetches gives back, every lostFetchEvery until ctx ends, the
// jobs client fetched and never worked.
func (e *Engine) releaseLostFetches(ctx context.Context, client string) {
	t := time.NewTicker(lostFetchEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		// The jobs in flight are read before the statement runs, so a job
		// whose work begins meanwhile is older than lostFetchAfter and
		// was not lost.
		working := e.w.working.ids()
		var n int64
		err := e.st.inTx(ctx, func(t execer) error {
			var err error
			n, err = e.st.releaseLost(ctx, t, client, working, lostFetchAfter)
			return err
		})
		if err != nil {
			// The database is down: the next tick tries again, and the
			// lost fetches wait for it.
			continue
		}
		if n > 0 {
			e.cfg.Logger.WarnContext(ctx, "bulk: gave back jobs whose fetch the database connection lost",
				slog.Int64("jobs", n))
		}
	}
}
