package console

import (
	"fmt"
	"io"
	"iter"
	"net/http"
	"regexp"

	"github.com/restrictkit/restrict/bulk"
	"github.com/restrictkit/restrict/internal/export"
)

// unsafeFilename matches what a download's file name may not hold: a
// run's name may have any character, a file name on the user's disk and
// in a header only these.
var unsafeFilename = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// outcomesCSV downloads a run's outcomes the page's filters select, in
// the CSV of restrict report (cells escaped against formulas).
func (s *Server) outcomesCSV(w http.ResponseWriter, r *http.Request, p *principal) {
	s.download(w, r, p, "csv", "text/csv; charset=utf-8", export.WriteCSV)
}

// outcomesJSON downloads them in the published audit schema.
func (s *Server) outcomesJSON(w http.ResponseWriter, r *http.Request, p *principal) {
	s.download(w, r, p, "json", "application/json", export.WriteJSON)
}

// download streams every outcome the filters select, without paging, as
// an attachment written by write.
func (s *Server) download(w http.ResponseWriter, r *http.Request, p *principal, ext, typ string,
	write func(io.Writer, iter.Seq2[bulk.Outcome, error]) error) {
	ctx := r.Context()
	name := r.PathValue("name")
	if _, err := s.cfg.Engine.Run(ctx, name); err != nil {
		s.readFailed(w, r, p, "run", err)
		return
	}
	q, problems := readOutcomeQuery(name, filterQuery(r.URL.Query()))
	if len(problems) > 0 {
		s.problemsPage(w, r, p, problems)
		return
	}
	w.Header().Set("Content-Type", typ)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, downloadName(name, ext)))
	if err := write(w, s.cfg.Engine.Outcomes(ctx, q.Filter)); err != nil && ctx.Err() == nil {
		// The status is sent already: the download is cut short, which
		// the user sees as a failed download.
		s.log.Error("writing a download", "run", name, "error", err)
		panic(http.ErrAbortHandler)
	}
}

// downloadName is a safe file name for a run's download.
func downloadName(run, ext string) string {
	base := unsafeFilename.ReplaceAllString(run, "_")
	if len(base) > 100 {
		base = base[:100]
	}
	return "restrict-" + base + "-outcomes." + ext
}
