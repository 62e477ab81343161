package console

// This file keeps the run submission's handler until the lead's runs.go
// (prepareRun, submitRun) is on main.

import "net/http"

func (s *Server) apiCreateRun(w http.ResponseWriter, r *http.Request, p *principal) { notYet(w, r, p) }
