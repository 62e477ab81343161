package console

import (
	"errors"
	"net/http"
	"net/url"
	"sort"

	"github.com/restrictkit/restrict/bulk"
)

// runDetail is a run with its progress: the answer of GET and of a
// submission.
type runDetail struct {
	Run      *bulk.RunInfo  `json:"run"`
	Progress *bulk.Progress `json:"progress"`
}

// apiRuns answers every run, oldest first.
func (s *Server) apiRuns(w http.ResponseWriter, r *http.Request, _ *principal) {
	runs, err := s.cfg.Engine.Runs(r.Context())
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	if runs == nil {
		runs = []bulk.RunInfo{}
	}
	for i := range runs {
		normalizeRun(&runs[i])
	}
	writeJSON(w, http.StatusOK, map[string]any{"runs": runs})
}

// apiRun answers a run and its progress.
func (s *Server) apiRun(w http.ResponseWriter, r *http.Request, _ *principal) {
	ri, ok := s.apiRunInfo(w, r)
	if !ok {
		return
	}
	d, err := s.runDetail(r, ri)
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

// apiRunInfo reads the run the path names, or answers 404.
func (s *Server) apiRunInfo(w http.ResponseWriter, r *http.Request) (*bulk.RunInfo, bool) {
	name := r.PathValue("name")
	ri, err := s.cfg.Engine.Run(r.Context(), name)
	switch {
	case errors.Is(err, bulk.ErrRunNotFound):
		writeProblem(w, http.StatusNotFound, "run-not-found", "No such run", "No run of that name was ever submitted.")
		return nil, false
	case err != nil:
		s.internalError(w, r, err)
		return nil, false
	}
	return ri, true
}

// runDetail reads ri's progress.
func (s *Server) runDetail(r *http.Request, ri *bulk.RunInfo) (*runDetail, error) {
	pr, err := s.cfg.Engine.Progress(r.Context(), ri.Name)
	if err != nil {
		return nil, err
	}
	if pr.Providers == nil {
		pr.Providers = []bulk.Counts{}
	}
	normalizeRun(ri)
	return &runDetail{Run: ri, Progress: pr}, nil
}

// normalizeRun makes a run without providers list none, not null, as
// the document promises an array.
func normalizeRun(ri *bulk.RunInfo) {
	if ri.Providers == nil {
		ri.Providers = []string{}
	}
}

func sortedQueryKeys(q url.Values) []string {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
