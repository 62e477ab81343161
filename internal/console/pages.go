package console

import (
	"errors"
	"html/template"
	"net/http"

	"github.com/restrictkit/restrict/bulk"
)

// pageState is what the pages keep between requests: the parsed
// templates and the new-run drafts awaiting confirmation.
type pageState struct {
	templates map[string]*template.Template
	drafts    *draftStore
}

func newPageState() (*pageState, error) {
	t, err := parsePages()
	return &pageState{templates: t, drafts: newDraftStore()}, err
}

// errorData is what templates/error.html shows.
type errorData struct {
	Status  int
	Heading string
	Message string
	// Problems are the refused parameters of a request, each named.
	Problems []fieldProblem
}

// errorPage answers with the error page: status, its text as heading, and
// message, which must name what is wrong without any secret. The wrappers
// use it for 403 and 404 too.
func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, p *principal, status int, message string) {
	s.render(w, r, p, status, "error.html", http.StatusText(status), errorData{Status: status, Heading: http.StatusText(status), Message: message})
}

// problemsPage answers 400 with every problem of a request's parameters.
func (s *Server) problemsPage(w http.ResponseWriter, r *http.Request, p *principal, problems []fieldProblem) {
	s.render(w, r, p, http.StatusBadRequest, "error.html", "Bad request", errorData{
		Status: http.StatusBadRequest, Heading: "Bad request", Message: "The request's parameters are not valid:", Problems: problems,
	})
}

// readFailed answers a failed read: a run that is not there is a 404, and
// anything else a 500 whose cause goes to the log only.
func (s *Server) readFailed(w http.ResponseWriter, r *http.Request, p *principal, what string, err error) {
	if errors.Is(err, bulk.ErrRunNotFound) {
		s.errorPage(w, r, p, http.StatusNotFound, "There is no run of that name.")
		return
	}
	s.log.Error("reading for a page", "what", what, "error", err)
	s.errorPage(w, r, p, http.StatusInternalServerError, "The database could not be read; try again.")
}

// home sends a visitor to the runs.
func (s *Server) home(w http.ResponseWriter, r *http.Request, _ *principal) {
	http.Redirect(w, r, "/runs", http.StatusSeeOther)
}
