package console

// This file is a placeholder of the skeleton: the webhooks helper
// replaces it.

import "net/http"

func (s *Server) webhook(name string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, p *principal) { notYet(w, r, p) }
}
