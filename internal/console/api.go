package console

// This file is a placeholder of the skeleton: the API helper replaces it.

import "net/http"

func (s *Server) apiOpenAPI(w http.ResponseWriter, r *http.Request, p *principal)   { notYet(w, r, p) }
func (s *Server) apiCreateRun(w http.ResponseWriter, r *http.Request, p *principal) { notYet(w, r, p) }
func (s *Server) apiRuns(w http.ResponseWriter, r *http.Request, p *principal)      { notYet(w, r, p) }
func (s *Server) apiRun(w http.ResponseWriter, r *http.Request, p *principal)       { notYet(w, r, p) }
func (s *Server) apiOutcomes(w http.ResponseWriter, r *http.Request, p *principal)  { notYet(w, r, p) }
func (s *Server) apiSubject(w http.ResponseWriter, r *http.Request, p *principal)   { notYet(w, r, p) }
func (s *Server) apiLimits(w http.ResponseWriter, r *http.Request, p *principal)    { notYet(w, r, p) }
func (s *Server) apiSetLimit(w http.ResponseWriter, r *http.Request, p *principal)  { notYet(w, r, p) }
