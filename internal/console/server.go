package console

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/restrictkit/restrict/bulk"
)

// Config is what a Server works with. Engine and Tokens are required.
type Config struct {
	// Engine submits runs and reads them; the server never starts or
	// stops it.
	Engine *bulk.Engine
	// Providers are the providers whose credentials are configured,
	// sorted: a new run may name only these.
	Providers []string
	// Tokens are who may sign in, each with a role.
	Tokens []Token
	// Webhooks verify the providers' webhooks, by the name of their
	// route (/webhooks/cryptomus, /webhooks/calypso); a provider without
	// one answers 404.
	Webhooks map[string]Webhook
	// River is River's own UI, served under /river to operators; nil
	// where there is none.
	River http.Handler
	// Metrics serves /metrics (to a viewer or an operator); nil for none.
	Metrics http.Handler
	// Ready answers /readyz; nil is always ready.
	Ready func(context.Context) error
	// Secure says the server is reached over TLS: session cookies are
	// then sent only over it.
	Secure bool
	// Logger gets the server's events; nil discards them.
	Logger *slog.Logger
	// Now is the clock; nil is time.Now.
	Now func() time.Time
}

// Webhook verifies a provider's webhook and says what it reports, or
// fails (the event is then refused with 401 and not stored).
type Webhook func(body []byte, header http.Header) (bulk.WebhookEvent, error)

// Server is the console, the API and the webhooks, as one http.Handler.
type Server struct {
	cfg   Config
	log   *slog.Logger
	now   func() time.Time
	mux   *http.ServeMux
	auth  *authState
	pages *pageState
	// progress is the runs' progress, shared by everyone looking.
	progress *progressCache
	handler  http.Handler
	// ending is closed by EndStreams: long answers (a run's live
	// progress) end then, so that a graceful shutdown need not wait for
	// browsers to go.
	ending  chan struct{}
	endOnce sync.Once
}

// New checks cfg and builds the server.
func New(cfg Config) (*Server, error) {
	if cfg.Engine == nil {
		return nil, errors.New("console: Config.Engine is required")
	}
	if len(cfg.Tokens) == 0 {
		return nil, errors.New("console: no token is configured: nobody could sign in")
	}
	s := &Server{cfg: cfg, log: cfg.Logger, now: cfg.Now, mux: http.NewServeMux(), ending: make(chan struct{})}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	var err error
	if s.auth, err = newAuthState(cfg.Tokens, s.now); err != nil {
		return nil, err
	}
	if s.pages, err = newPageState(); err != nil {
		return nil, err
	}
	// Real time, whatever Config.Now says: the cache spares the database,
	// and a test's stopped clock must not freeze every run page.
	s.progress = newProgressCache(engineProgress(cfg.Engine), time.Now)
	for _, rt := range s.routeTable() {
		pattern := rt.pattern
		if rt.method != "" {
			pattern = rt.method + " " + pattern
		}
		s.mux.Handle(pattern, s.wrap(rt))
	}
	s.handler = s.secure(s.mux)
	return s, nil
}

// ServeHTTP serves one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handler.ServeHTTP(w, r)
}

// EndStreams ends every long answer in progress and any that starts
// later (a run page's live progress): call it when the server starts to
// shut down, since http.Server.Shutdown waits for open answers.
func (s *Server) EndStreams() {
	s.endOnce.Do(func() { close(s.ending) })
}
