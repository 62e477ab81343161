package bulk

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Orphans are a run's jobs left "running" by a worker that is gone.
type Orphans struct {
	// Jobs counts them.
	Jobs int64
	// RescueAt is when the first of them may be given back to the
	// workers: its attempt's start plus Config.RescueAfter (whose doc says
	// when River's rescuer actually runs). Zero when Jobs is 0.
	RescueAt time.Time
}

// orphanMargin is how much longer than JobTimeout an attempt must have run
// for its job to count as orphaned, at most: a live worker's attempt ends
// at JobTimeout, plus the time it takes to journal what it found.
const orphanMargin = 5 * time.Second

// Orphaned counts run's jobs that are still "running" in River although
// their attempt began longer ago than JobTimeout (plus a margin of up to
// 5 s, and never past RescueAfter), so that no live worker can still be
// working them: their worker died. They wait for River's rescuer, and
// Orphans.RescueAt says when it will take the first one back. Any process
// may ask, working or not; it reads River's job table.
func (e *Engine) Orphaned(ctx context.Context, run string) (Orphans, error) {
	rows, err := e.read.db.QueryContext(ctx, e.st.bind(`SELECT attempted_at FROM {p}river_job
		WHERE state = 'running' AND kind = ? AND `+e.st.jobArg("run")+` = ?`), JobKind, run)
	if err != nil {
		return Orphans{}, fmt.Errorf("bulk: orphaned jobs: %w", err)
	}
	defer rows.Close()
	// A live worker's attempt ends at JobTimeout; the margin covers its
	// journal write, but stays short of RescueAfter so that orphans are
	// seen before they are rescued.
	margin := min(orphanMargin, (e.cfg.RescueAfter-e.cfg.JobTimeout)/2)
	cutoff := time.Now().Add(-e.cfg.JobTimeout - margin)
	var o Orphans
	for rows.Next() {
		var at sql.NullTime
		if err := rows.Scan(&at); err != nil {
			return Orphans{}, fmt.Errorf("bulk: orphaned jobs: %w", err)
		}
		if !at.Valid || at.Time.After(cutoff) {
			continue
		}
		o.Jobs++
		if rescue := at.Time.Add(e.cfg.RescueAfter).UTC(); o.RescueAt.IsZero() || rescue.Before(o.RescueAt) {
			o.RescueAt = rescue
		}
	}
	if err := rows.Err(); err != nil {
		return Orphans{}, fmt.Errorf("bulk: orphaned jobs: %w", err)
	}
	return o, nil
}
