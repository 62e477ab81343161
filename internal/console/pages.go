package console

// This file is a placeholder of the skeleton: the pages helper replaces
// it.

import (
	"html/template"
	"net/http"
)

type pageState struct{ templates map[string]*template.Template }

func newPageState() (*pageState, error) {
	t, err := parsePages()
	return &pageState{templates: t}, err
}

func notYet(w http.ResponseWriter, r *http.Request, _ *principal) {
	http.Error(w, "not implemented yet", http.StatusNotImplemented)
}

func (s *Server) home(w http.ResponseWriter, r *http.Request, p *principal)          { notYet(w, r, p) }
func (s *Server) static(w http.ResponseWriter, r *http.Request, p *principal)        { notYet(w, r, p) }
func (s *Server) runsPage(w http.ResponseWriter, r *http.Request, p *principal)      { notYet(w, r, p) }
func (s *Server) newRunPage(w http.ResponseWriter, r *http.Request, p *principal)    { notYet(w, r, p) }
func (s *Server) newRunCheck(w http.ResponseWriter, r *http.Request, p *principal)   { notYet(w, r, p) }
func (s *Server) newRunConfirm(w http.ResponseWriter, r *http.Request, p *principal) { notYet(w, r, p) }
func (s *Server) runPage(w http.ResponseWriter, r *http.Request, p *principal)       { notYet(w, r, p) }
func (s *Server) runEvents(w http.ResponseWriter, r *http.Request, p *principal)     { notYet(w, r, p) }
func (s *Server) outcomesCSV(w http.ResponseWriter, r *http.Request, p *principal)   { notYet(w, r, p) }
func (s *Server) outcomesJSON(w http.ResponseWriter, r *http.Request, p *principal)  { notYet(w, r, p) }
func (s *Server) reportPage(w http.ResponseWriter, r *http.Request, p *principal)    { notYet(w, r, p) }
func (s *Server) subjectPage(w http.ResponseWriter, r *http.Request, p *principal)   { notYet(w, r, p) }
func (s *Server) limitsPage(w http.ResponseWriter, r *http.Request, p *principal)    { notYet(w, r, p) }
func (s *Server) limitsSet(w http.ResponseWriter, r *http.Request, p *principal)     { notYet(w, r, p) }
