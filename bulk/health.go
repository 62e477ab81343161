package bulk

import (
	"context"
	"errors"
	"sync"
	"time"
)

// DatabaseHealth is what the engine last saw of its database, for a
// progress display to poll: "database unavailable since Since: Err".
type DatabaseHealth struct {
	// Err is the error of the last failed database operation; nil when
	// the last operation succeeded.
	Err error
	// Since is when operations began to fail: the first failure after the
	// last success. Zero when Err is nil.
	Since time.Time
}

// OK reports whether the last database operation succeeded.
func (h DatabaseHealth) OK() bool { return h.Err == nil }

// DatabaseHealth reports whether the engine's database is answering, as
// seen by this process's workers (journal writes) and by Wait (its reads).
// It costs nothing: it asks the database nothing, it returns what the last
// operation found. While the database is unavailable, workers hold their
// outcomes and Wait keeps asking, each with a backoff of 100 ms doubling to
// 5 s; a run resumes by itself when the database is back.
func (e *Engine) DatabaseHealth() DatabaseHealth {
	e.health.mu.Lock()
	defer e.health.mu.Unlock()
	return DatabaseHealth{Err: e.health.err, Since: e.health.since}
}

// The backoff of every retry after a database error.
const (
	minDatabaseRetry = 100 * time.Millisecond
	maxDatabaseRetry = 5 * time.Second
)

// health records the outcome of database operations. A failure that is
// only a context ending (a stop, a caller giving up) says nothing of the
// database and is not recorded.
type health struct {
	mu    sync.Mutex
	err   error
	since time.Time
}

func (h *health) fail(err error) {
	if errors.Is(err, context.Canceled) {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.err == nil {
		h.since = time.Now()
	}
	h.err = err
}

func (h *health) ok() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.err, h.since = nil, time.Time{}
}
