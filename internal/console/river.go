package console

import "net/http"

// river serves River's own UI to operators, where the command gave one
// (on Postgres); it sets its own Content-Security-Policy.
func (s *Server) river(w http.ResponseWriter, r *http.Request, _ *principal) {
	if s.cfg.River == nil {
		http.NotFound(w, r)
		return
	}
	s.cfg.River.ServeHTTP(w, r)
}
