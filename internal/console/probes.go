package console

import (
	"context"
	"net/http"
	"time"
)

// readyTimeout bounds /readyz's question to the database.
const readyTimeout = 2 * time.Second

// healthz answers that the process serves.
func (s *Server) healthz(w http.ResponseWriter, _ *http.Request, _ *principal) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

// readyz answers whether the database answers.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request, _ *principal) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if s.cfg.Ready != nil {
		ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
		defer cancel()
		if err := s.cfg.Ready(ctx); err != nil {
			s.log.Warn("not ready", "error", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("the database does not answer\n"))
			return
		}
	}
	_, _ = w.Write([]byte("ready\n"))
}

// metrics serves the process's metrics, where the command gave a handler.
func (s *Server) metrics(w http.ResponseWriter, r *http.Request, _ *principal) {
	if s.cfg.Metrics == nil {
		http.NotFound(w, r)
		return
	}
	s.cfg.Metrics.ServeHTTP(w, r)
}
