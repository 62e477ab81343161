package restricttest

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"time"
)

// Server is what every provider fake is built on: a loopback HTTP server in
// front of the fake's handler, the faults that handler applies first, and
// the fake's clock. Each <provider>test.Server embeds one, so the five
// fakes share one shape: BaseURL, Handler, Close, Inject, Requests and
// SetClock mean the same everywhere.
type Server struct {
	Faults
	srv      *httptest.Server
	handler  http.Handler
	basePath string
	mu       sync.Mutex
	now      func() time.Time
}

// Serve starts serving h, behind the injected faults, on a loopback port.
// basePath is where the provider's API lives under the host ("" at its
// root); BaseURL includes it. A fake calls it once, from its NewServer.
func (s *Server) Serve(h http.Handler, basePath string) {
	s.handler = s.Wrap(h)
	s.basePath = basePath
	s.srv = httptest.NewServer(s.handler)
}

// BaseURL is the value to give a client with restrict.WithBaseURL: the
// loopback server's URL and the provider's base path.
func (s *Server) BaseURL() string { return s.srv.URL + s.basePath }

// Handler is the fake's API, faults included, sharing the fake's state: to
// mount it in a mux of one's own, serve it over TLS, or hand it to
// httpmock. It answers under the provider's base path.
func (s *Server) Handler() http.Handler { return s.handler }

// Close shuts the loopback server down.
func (s *Server) Close() { s.srv.Close() }

// SetClock replaces the fake's clock, which dates what the fake dates
// (tokens, timestamps, Date headers; see each fake) and judges what it
// judges by time. nil restores time.Now.
func (s *Server) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// Now reads the fake's clock.
func (s *Server) Now() time.Time {
	s.mu.Lock()
	now := s.now
	s.mu.Unlock()
	if now == nil {
		return time.Now()
	}
	return now()
}
