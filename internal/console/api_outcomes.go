package console

import (
	"net/http"
	"slices"

	"github.com/restrictkit/restrict/bulk"
)

// outcomeParams are the query parameters of an outcome listing; any other
// is refused, so that a misspelt filter does not silently list everything.
var outcomeParams = []string{"provider", "result", "state", "class", "subject", "after", "limit"}

// apiOutcomes answers a page of a run's outcomes, keyset paged: one more
// than the page is read, to know whether another page follows.
func (s *Server) apiOutcomes(w http.ResponseWriter, r *http.Request, _ *principal) {
	ri, ok := s.apiRunInfo(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	oq, problems := readOutcomeQuery(ri.Name, q)
	for _, k := range sortedQueryKeys(q) {
		if !slices.Contains(outcomeParams, k) {
			problems = append(problems, fieldProblem{Pointer: "?" + k, Message: "unknown parameter"})
		}
	}
	if len(problems) > 0 {
		writeProblem(w, http.StatusBadRequest, "invalid-query", "Invalid query", "", problems...)
		return
	}
	page, err := s.cfg.Engine.OutcomesPage(r.Context(), oq.Filter, oq.Limit+1)
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	var next *string
	if len(page) > oq.Limit {
		page = page[:oq.Limit]
		last := page[len(page)-1]
		c := encodeCursor(bulk.OutcomeKey{Subject: last.Subject, Provider: last.Provider})
		next = &c
	}
	if page == nil {
		page = []bulk.Outcome{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"outcomes": page, "next": next})
}
