package console

import (
	"net/http"
	"slices"

	"github.com/restrictkit/restrict/bulk"
)

// runRow is one run of the runs page, with its counts.
type runRow struct {
	bulk.RunInfo
	All bulk.Counts
}

// runsData is what templates/runs.html shows.
type runsData struct {
	Runs       []runRow
	CanOperate bool
}

// runsPage lists every run, newest first, with its progress.
func (s *Server) runsPage(w http.ResponseWriter, r *http.Request, p *principal) {
	ctx := r.Context()
	runs, err := s.cfg.Engine.Runs(ctx)
	if err != nil {
		s.readFailed(w, r, p, "runs", err)
		return
	}
	slices.Reverse(runs)
	d := runsData{Runs: make([]runRow, 0, len(runs)), CanOperate: p.CanOperate()}
	for _, run := range runs {
		_, pr, err := s.progress.get(ctx, run.Name)
		if err != nil {
			s.readFailed(w, r, p, "progress", err)
			return
		}
		d.Runs = append(d.Runs, runRow{RunInfo: run, All: pr.All})
	}
	s.render(w, r, p, http.StatusOK, "runs.html", "Runs", d)
}
