package console

import (
	"context"
	"net/http"

	"github.com/restrictkit/restrict/bulk"
)

// subjectData is what templates/subject.html shows.
type subjectData struct {
	Key          string
	Outcomes     []bulk.Outcome
	Events       []bulk.SubjectEvent
	EventsUnread bool
	// Funded says that the subject received funds after restriction.
	Funded bool
}

// subjectPage shows every outcome of a subject key, in every run, and the
// webhook events received for its targets.
func (s *Server) subjectPage(w http.ResponseWriter, r *http.Request, p *principal) {
	ctx := r.Context()
	key := r.PathValue("key")
	if err := bulk.CheckKey(key); err != nil {
		s.problemsPage(w, r, p, []fieldProblem{{Pointer: "key", Message: err.Error()}})
		return
	}
	outcomes, err := s.cfg.Engine.SubjectOutcomes(ctx, key)
	if err != nil {
		s.readFailed(w, r, p, "subject outcomes", err)
		return
	}
	d := subjectData{Key: key, Outcomes: outcomes}
	var funded map[string]bool
	d.Events, funded, d.EventsUnread = s.fundedEvents(ctx, func(ctx context.Context) ([]bulk.SubjectEvent, error) {
		return s.cfg.Engine.SubjectEvents(ctx, key)
	})
	d.Funded = funded[key]
	if len(outcomes) == 0 && len(d.Events) == 0 {
		s.errorPage(w, r, p, http.StatusNotFound, "No run and no webhook event concerns that subject.")
		return
	}
	s.render(w, r, p, http.StatusOK, "subject.html", "Subject "+key, d)
}
