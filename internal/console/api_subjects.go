package console

import (
	"net/http"

	"github.com/restrictkit/restrict/bulk"
)

// apiSubject answers every outcome of a subject, in every run, and the
// webhook events linked to its targets.
func (s *Server) apiSubject(w http.ResponseWriter, r *http.Request, _ *principal) {
	key := r.PathValue("key")
	if bulk.CheckKey(key) != nil {
		// No run could hold it.
		writeProblem(w, http.StatusNotFound, "subject-not-found", "No such subject", "No run has a subject of that key.")
		return
	}
	ctx := r.Context()
	outcomes, err := s.cfg.Engine.SubjectOutcomes(ctx, key)
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	events, err := s.cfg.Engine.SubjectEvents(ctx, key)
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	if len(outcomes) == 0 && len(events) == 0 {
		writeProblem(w, http.StatusNotFound, "subject-not-found", "No such subject", "No run has a subject of that key.")
		return
	}
	if outcomes == nil {
		outcomes = []bulk.Outcome{}
	}
	if events == nil {
		events = []bulk.SubjectEvent{}
	}
	for i := range events {
		if events[i].Event.Targets == nil {
			events[i].Event.Targets = []string{}
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"subject": key, "outcomes": outcomes, "events": events})
}
