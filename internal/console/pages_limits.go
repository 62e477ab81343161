package console

import (
	"maps"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/restrictkit/restrict/bulk"
)

// limitRow is one provider of the limits page and its form's values.
type limitRow struct {
	bulk.Limit
	// Held says that the database holds a limit for the provider.
	Held                 bool
	RateField            string
	ConcurrencyField     string
	RateValue, ConcValue string
}

// limitsData is what templates/limits.html shows.
type limitsData struct {
	Limits     []limitRow
	CanOperate bool
	Problems   []fieldProblem
}

// limitsPage shows each provider's shared limit, and to an operator the
// form that changes them.
func (s *Server) limitsPage(w http.ResponseWriter, r *http.Request, p *principal) {
	d, err := s.limitsData(r, p)
	if err != nil {
		s.readFailed(w, r, p, "limits", err)
		return
	}
	s.render(w, r, p, http.StatusOK, "limits.html", "Limits", d)
}

// limitsData reads the limits of every provider the database or the
// configuration names.
func (s *Server) limitsData(r *http.Request, p *principal) (limitsData, error) {
	held, err := s.cfg.Engine.Limits(r.Context())
	if err != nil {
		return limitsData{}, err
	}
	rows := map[string]limitRow{}
	for _, l := range held {
		rows[l.Provider] = limitRow{Limit: l, Held: true}
	}
	for _, name := range s.cfg.Providers {
		if _, ok := rows[name]; !ok {
			rows[name] = limitRow{Limit: bulk.Limit{Provider: name}}
		}
	}
	d := limitsData{CanOperate: p.CanOperate()}
	for _, name := range slices.Sorted(maps.Keys(rows)) {
		row := rows[name]
		row.RateField, row.ConcurrencyField = "rate_"+name, "concurrency_"+name
		row.RateValue = strconv.FormatFloat(row.Rate, 'f', -1, 64)
		row.ConcValue = strconv.Itoa(row.Concurrency)
		d.Limits = append(d.Limits, row)
	}
	return d, nil
}

// limitsSet changes the limits an operator's form changed, after
// checking every field: one bad number changes nothing.
func (s *Server) limitsSet(w http.ResponseWriter, r *http.Request, p *principal) {
	d, err := s.limitsData(r, p)
	if err != nil {
		s.readFailed(w, r, p, "limits", err)
		return
	}
	// The route is an operator's: the answer shows the form again.
	d.CanOperate = true
	if err := r.ParseForm(); err != nil {
		s.problemsPage(w, r, p, []fieldProblem{{Message: "the form could not be read"}})
		return
	}
	type change struct {
		provider string
		rate     *float64
		conc     *int
	}
	var changes []change
	for i := range d.Limits {
		row := &d.Limits[i]
		c := change{provider: row.Provider}
		if v := strings.TrimSpace(r.PostFormValue(row.RateField)); v != "" {
			row.RateValue = v
			f, err := strconv.ParseFloat(v, 64)
			switch {
			case err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f):
				d.Problems = append(d.Problems, fieldProblem{Pointer: row.RateField, Message: "want a number of requests per second, 0 or more (0: none)"})
			case f != row.Rate:
				c.rate = &f
			}
		}
		if v := strings.TrimSpace(r.PostFormValue(row.ConcurrencyField)); v != "" {
			row.ConcValue = v
			n, err := strconv.Atoi(v)
			switch {
			case err != nil || n < 0:
				d.Problems = append(d.Problems, fieldProblem{Pointer: row.ConcurrencyField, Message: "want a whole number of calls in flight, 0 or more (0: none)"})
			case n != row.Concurrency:
				c.conc = &n
			}
		}
		if c.rate != nil || c.conc != nil {
			changes = append(changes, c)
		}
	}
	if len(d.Problems) > 0 {
		s.render(w, r, p, http.StatusBadRequest, "limits.html", "Limits", d)
		return
	}
	by := p.Name
	ctx := r.Context()
	for _, c := range changes {
		if c.rate != nil {
			err = s.cfg.Engine.SetRate(ctx, c.provider, *c.rate, by)
		}
		if err == nil && c.conc != nil {
			err = s.cfg.Engine.SetConcurrency(ctx, c.provider, *c.conc, by)
		}
		if err != nil {
			s.log.Error("setting a limit", "provider", c.provider, "error", err)
			s.errorPage(w, r, p, http.StatusInternalServerError, "The limit of "+c.provider+" could not be set; the limits page shows what is in force.")
			return
		}
	}
	http.Redirect(w, r, "/limits", http.StatusSeeOther)
}
