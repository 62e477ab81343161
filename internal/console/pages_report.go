package console

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/restrictkit/restrict/bulk"
)

// reportFailures caps the failures the report lists: a printed page of a
// run where everything failed would be thousands of pages; the rest are
// counted, and the CSV download has them all.
const reportFailures = 1000

// providerAttempts is one provider's HTTP attempts in a report.
type providerAttempts struct {
	Provider string
	Attempts int64
	// LowerBound says that some attempt went unreported, so more may have
	// been sent.
	LowerBound bool
}

// reportData is what templates/report.html shows.
type reportData struct {
	Run      *bulk.RunInfo
	Progress *bulk.Progress
	Failures []bulk.Outcome
	// MoreFailures counts the failures past reportFailures.
	MoreFailures int64
	Attempts     []providerAttempts
	Limits       []bulk.Limit
	Funds        []bulk.SubjectEvent
	EventsUnread bool
	Printed      string
}

// reportPage is a run's audit report: one printable page.
func (s *Server) reportPage(w http.ResponseWriter, r *http.Request, p *principal) {
	ctx := r.Context()
	name := r.PathValue("name")
	run, pr, err := s.progress.get(ctx, name)
	if err != nil {
		s.readFailed(w, r, p, "run", err)
		return
	}
	d := reportData{Run: run, Progress: pr, Printed: s.now().UTC().Format("2006-01-02 15:04:05Z")}
	if err := s.readJournal(ctx, name, reportFailures, &d); err != nil {
		s.readFailed(w, r, p, "outcomes", err)
		return
	}
	if d.Limits, err = s.cfg.Engine.Limits(ctx); err != nil {
		s.readFailed(w, r, p, "limits", err)
		return
	}
	events, _, unread := s.fundedEvents(ctx, func(ctx context.Context) ([]bulk.SubjectEvent, error) {
		return s.cfg.Engine.RunEvents(ctx, name)
	})
	d.EventsUnread = unread
	for _, ev := range events {
		if ev.FundsAfterRestriction {
			d.Funds = append(d.Funds, ev)
		}
	}
	s.render(w, r, p, http.StatusOK, "report.html", "Audit report of "+name, d)
}

// readJournal goes over the run's outcomes once, streaming: it adds up
// the HTTP attempts per provider and keeps the first limit failures,
// counting the rest.
func (s *Server) readJournal(ctx context.Context, run string, limit int, d *reportData) error {
	at := make(map[string]int)
	for o, err := range s.cfg.Engine.Outcomes(ctx, bulk.Filter{Run: run}) {
		if err != nil {
			return err
		}
		i, ok := at[o.Provider]
		if !ok {
			i = len(d.Attempts)
			at[o.Provider] = i
			d.Attempts = append(d.Attempts, providerAttempts{Provider: o.Provider})
		}
		a := &d.Attempts[i]
		a.Attempts += int64(o.HTTPAttempts)
		a.LowerBound = a.LowerBound || o.HTTPAttemptsLowerBound
		if o.Result != bulk.ResultFailed {
			continue
		}
		if len(d.Failures) < limit {
			d.Failures = append(d.Failures, o)
		} else {
			d.MoreFailures++
		}
	}
	slices.SortFunc(d.Attempts, func(a, b providerAttempts) int { return strings.Compare(a.Provider, b.Provider) })
	return nil
}
