package console

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/bulk"
)

// eventsEvery is how often a run's event stream sends its progress: often
// enough for a bar to move smoothly, one cheap count a second per viewer.
const eventsEvery = time.Second

// option is one choice of a filter's select.
type option struct {
	Value, Label string
	Selected     bool
}

// options makes a select's choices: "any" first, then values; the
// current value is kept even when it is not among them, so that the
// form shows what the page was filtered by.
func options(values []string, current string) []option {
	if current != "" && !slices.Contains(values, current) {
		values = append(slices.Clip(values), current)
	}
	out := []option{{Value: "", Label: "any", Selected: current == ""}}
	for _, v := range values {
		out = append(out, option{Value: v, Label: v, Selected: v == current})
	}
	return out
}

// errorClasses are the classes an outcome's error can have
// (OutcomeError.Class).
var errorClasses = []string{"invalid_request", "unauthorized", "forbidden", "not_found", "conflict",
	"rate_limited", "unavailable", "unsupported", "timeout", "canceled", "panic", "error"}

// runFilters is the filters form of a run page.
type runFilters struct {
	Providers, Results, States, Classes []option
	Subject                             string
}

// runData is what templates/run.html shows.
type runData struct {
	Run      *bulk.RunInfo
	Progress *bulk.Progress
	Filters  runFilters
	Outcomes []bulk.Outcome
	// NextPage is the link to the next page of outcomes; "" on the last.
	NextPage string
	// Query is the filters without paging, for the downloads.
	Query  string
	Events []bulk.SubjectEvent
	// EventsUnread says that the webhook events could not be read: the
	// page says so rather than claim there are none.
	EventsUnread bool
	// Funded are the subjects that received funds after restriction.
	Funded map[string]bool
}

// runPage shows a run: its progress, a page of its outcomes, and the
// funds its subjects received after restriction.
func (s *Server) runPage(w http.ResponseWriter, r *http.Request, p *principal) {
	ctx := r.Context()
	name := r.PathValue("name")
	run, pr, err := s.progress.get(ctx, name)
	if err != nil {
		s.readFailed(w, r, p, "run", err)
		return
	}
	q, problems := readOutcomeQuery(name, r.URL.Query())
	if len(problems) > 0 {
		s.problemsPage(w, r, p, problems)
		return
	}
	outcomes, err := s.cfg.Engine.OutcomesPage(ctx, q.Filter, q.Limit+1)
	if err != nil {
		s.readFailed(w, r, p, "outcomes", err)
		return
	}
	d := runData{Run: run, Progress: pr, Outcomes: outcomes, Query: filterQuery(r.URL.Query()).Encode()}
	if len(outcomes) > q.Limit {
		d.Outcomes = outcomes[:q.Limit]
		last := d.Outcomes[q.Limit-1]
		next := r.URL.Query()
		next.Set("after", encodeCursor(bulk.OutcomeKey{Subject: last.Subject, Provider: last.Provider}))
		d.NextPage = runURL(name) + "?" + next.Encode()
	}
	d.Events, d.Funded, d.EventsUnread = s.fundedEvents(ctx, func(ctx context.Context) ([]bulk.SubjectEvent, error) {
		return s.cfg.Engine.RunEvents(ctx, name)
	})
	var providers []string
	for _, c := range pr.Providers {
		providers = append(providers, c.Provider)
	}
	f := q.Filter
	d.Filters = runFilters{
		Providers: options(providers, f.Provider),
		Results:   options([]string{string(bulk.ResultOK), string(bulk.ResultFailed), string(bulk.ResultUnsupported), string(bulk.ResultPending)}, string(f.Result)),
		States:    options([]string{string(restrict.StateRestricted), string(restrict.StateActive), string(restrict.StateUnknown)}, string(f.State)),
		Classes:   options(errorClasses, f.Class),
		Subject:   f.SubjectPrefix,
	}
	s.render(w, r, p, http.StatusOK, "run.html", "Run "+name, d)
}

// fundedEvents reads webhook events and the subjects flagged for funds
// after restriction; unread reports a failed read, which is logged.
func (s *Server) fundedEvents(ctx context.Context, read func(context.Context) ([]bulk.SubjectEvent, error)) (events []bulk.SubjectEvent, funded map[string]bool, unread bool) {
	events, err := read(ctx)
	if err != nil {
		s.log.Error("reading webhook events for a page", "error", err)
		return nil, nil, true
	}
	funded = make(map[string]bool)
	for _, ev := range events {
		if ev.FundsAfterRestriction {
			funded[ev.Subject] = true
		}
	}
	return events, funded, false
}

// filterQuery is q's filters without its paging.
func filterQuery(q url.Values) url.Values {
	out := url.Values{}
	for _, k := range []string{"provider", "result", "state", "class", "subject"} {
		if v := q.Get(k); v != "" {
			out.Set(k, v)
		}
	}
	return out
}

// runEvents streams a run's progress as server-sent events: an event
// "progress" at once and every eventsEvery, then, once the run is
// finished, one event "finished" and the end of the stream. It ends too
// when the client goes or the server shuts down (EndStreams); the
// browser's EventSource then reconnects by itself.
func (s *Server) runEvents(w http.ResponseWriter, r *http.Request, p *principal) {
	ctx := r.Context()
	name := r.PathValue("name")
	if _, err := s.cfg.Engine.Run(ctx, name); err != nil {
		s.readFailed(w, r, p, "run", err)
		return
	}
	rc := http.NewResponseController(w)
	// A stream lasts as long as the run: the server's write timeout,
	// meant for pages, must not cut it. (Its read timeout does not:
	// TestRunEventsOutliveTheReadTimeout.)
	_ = rc.SetWriteDeadline(time.Time{})
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	tick := time.NewTicker(eventsEvery)
	defer tick.Stop()
	for {
		done, err := s.sendProgress(ctx, w, rc, name)
		if done {
			return
		}
		if err != nil && ctx.Err() == nil {
			s.log.Warn("streaming a run's progress", "run", name, "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-s.ending:
			return
		case <-tick.C:
		}
	}
}

// sendProgress sends the run's progress, and "finished" after it when the
// run is; done says the stream is over. The progress comes from the cache
// every stream of the run shares, which reads the run before its
// progress, so that the progress sent with "finished" is final.
func (s *Server) sendProgress(ctx context.Context, w http.ResponseWriter, rc *http.ResponseController, name string) (done bool, err error) {
	run, pr, err := s.progress.get(ctx, name)
	if err != nil {
		return false, err
	}
	if err := sendEvent(w, rc, "progress", pr); err != nil {
		return true, err
	}
	if run.Finished() {
		return true, sendEvent(w, rc, "finished", pr)
	}
	return false, nil
}

// sendEvent writes one server-sent event of data as JSON and flushes it.
func sendEvent(w http.ResponseWriter, rc *http.ResponseController, event string, data any) error {
	b, err := json.Marshal(data)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, b); err != nil {
		return err
	}
	return rc.Flush()
}
