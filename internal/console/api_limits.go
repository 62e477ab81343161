package console

import (
	"fmt"
	"math"
	"net/http"
	"slices"

	"github.com/restrictkit/restrict/bulk"
)

// apiLimits answers every provider's limit the database holds.
func (s *Server) apiLimits(w http.ResponseWriter, r *http.Request, _ *principal) {
	limits, err := s.cfg.Engine.Limits(r.Context())
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	if limits == nil {
		limits = []bulk.Limit{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"limits": limits})
}

// limitUpdate is the body of PUT /api/v1/limits/{provider}: what to
// change, each left out to keep it.
type limitUpdate struct {
	Rate        *float64 `json:"rate"`
	Concurrency *int     `json:"concurrency"`
}

// apiSetLimit changes a configured provider's shared rate or concurrency,
// recorded under the principal's name.
func (s *Server) apiSetLimit(w http.ResponseWriter, r *http.Request, p *principal) {
	provider := r.PathValue("provider")
	if !slices.Contains(s.cfg.Providers, provider) {
		writeProblem(w, http.StatusNotFound, "provider-not-found", "No such provider",
			fmt.Sprintf("No provider %q is configured.", provider))
		return
	}
	if mediaType(r) != "application/json" {
		writeProblem(w, http.StatusUnsupportedMediaType, "unsupported-media-type", "Unsupported media type",
			"A limit is sent as application/json.")
		return
	}
	body, ok := readAPIBody(w, r, maxLimitBody)
	if !ok {
		return
	}
	var u limitUpdate
	if fp := decodeStrict(body, &u); fp != nil {
		writeProblem(w, http.StatusBadRequest, "invalid-body", "Invalid body", "", *fp)
		return
	}
	var problems []fieldProblem
	if u.Rate == nil && u.Concurrency == nil {
		problems = append(problems, fieldProblem{Message: "give rate, concurrency or both"})
	}
	if u.Rate != nil && (*u.Rate < 0 || math.IsNaN(*u.Rate) || math.IsInf(*u.Rate, 0)) {
		problems = append(problems, fieldProblem{Pointer: "/rate", Message: "want requests per second, 0 or more"})
	}
	if u.Concurrency != nil && *u.Concurrency < 0 {
		problems = append(problems, fieldProblem{Pointer: "/concurrency", Message: "want calls in flight, 0 or more"})
	}
	if len(problems) > 0 {
		writeProblem(w, http.StatusUnprocessableEntity, "invalid-limit", "Invalid limit", "", problems...)
		return
	}
	ctx := r.Context()
	if u.Rate != nil {
		if err := s.cfg.Engine.SetRate(ctx, provider, *u.Rate, p.Name); err != nil {
			s.internalError(w, r, err)
			return
		}
	}
	if u.Concurrency != nil {
		if err := s.cfg.Engine.SetConcurrency(ctx, provider, *u.Concurrency, p.Name); err != nil {
			s.internalError(w, r, err)
			return
		}
	}
	limits, err := s.cfg.Engine.Limits(ctx)
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	for _, l := range limits {
		if l.Provider == provider {
			writeJSON(w, http.StatusOK, map[string]any{"limit": l})
			return
		}
	}
	s.internalError(w, r, fmt.Errorf("the limit of %s was set but is not in the database", provider))
}
