package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/restrictkit/restrict/bulk"
)

// errDatabaseGone ends a run whose database stayed unavailable past
// --db-timeout.
var errDatabaseGone = errors.New("the database has been unavailable")

// orphanCheck is how often a run being worked looks for jobs left taken
// by a process that is gone.
const orphanCheck = 2 * time.Second

// work follows the run in the database until it is finished, ctx ends
// (an interrupt: errInterrupted) or the database has been unavailable for
// longer than --db-timeout (an error; exit 3). It returns the last
// progress read, nil if none could be.
func (a *app) work(ctx context.Context, e *bulk.Engine, name string, o runOptions) (*bulk.Progress, error) {
	db := context.WithoutCancel(ctx)
	view := a.progressView(o.noProgress)
	defer view.finish()
	tick := time.NewTicker(view.interval())
	defer tick.Stop()
	var (
		last       *bulk.Progress
		downSince  time.Time
		downErr    error // the first error of the outage, so its note stays one line
		orphanNote string
		orphanedAt time.Time
	)
	for {
		now := time.Now()
		var notes []string
		p, err := e.Progress(db, name)
		if h := e.DatabaseHealth(); err == nil && !h.OK() {
			// The workers could not journal an outcome: they hold it
			// and try again; say so while the reads still answer.
			err = h.Err
			if downSince.IsZero() || h.Since.Before(downSince) {
				downSince, downErr = h.Since, h.Err
			}
		}
		if err != nil {
			if downSince.IsZero() {
				downSince, downErr = now, err
				a.logger.Info("the database is unavailable", "error", err)
			}
			if now.Sub(downSince) > o.dbTimeout {
				return last, fmt.Errorf("%w since %s (%v); gave up after --db-timeout %s. Outcomes already journaled are kept; run the same command to resume",
					errDatabaseGone, downSince.Format(time.TimeOnly), err, o.dbTimeout)
			}
			notes = append(notes, fmt.Sprintf("the database is unavailable since %s (%s): waiting for it, up to --db-timeout %s",
				downSince.Format(time.TimeOnly), terminalSafe(downErr.Error()), o.dbTimeout))
			if p != nil {
				last = p
			}
		} else {
			if !downSince.IsZero() {
				a.logger.Info("the database is back", "after", now.Sub(downSince).Round(time.Second).String())
			}
			downSince, downErr, last = time.Time{}, nil, p
			if p.Finished() {
				view.update(p, nil, now)
				return p, nil
			}
			if now.Sub(orphanedAt) >= orphanCheck {
				orphanedAt = now
				orphanNote = ""
				if orph, err := e.Orphaned(db, name); err == nil && orph.Jobs > 0 {
					orphanNote = fmt.Sprintf("%d jobs were taken by a process that is gone; they are taken again at about %s (--rescue-after)",
						orph.Jobs, orph.RescueAt.Local().Format(time.TimeOnly))
				}
			}
		}
		if orphanNote != "" {
			notes = append(notes, orphanNote)
		}
		if last != nil {
			view.update(last, notes, now)
		} else {
			view.update(&bulk.Progress{Run: name}, notes, now)
		}
		select {
		case <-ctx.Done():
			return last, errInterrupted
		case <-tick.C:
		}
	}
}
