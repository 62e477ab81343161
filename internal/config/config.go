// Package config holds the settings a provider client is built from. The
// root package's options write them, internal/transport resolves and reads
// them, and a provider package reads its own extras. It imports nothing of
// this module, so that the root package can import it without a cycle, and
// it imports only the OpenTelemetry API, never its SDK, and
// it is internal, so that none of it is part of the public API: callers
// only ever hold restrict.Option values.
package config

import (
	"log/slog"
	"net/http"
	"time"

	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
)

// Settings is what the options of one New call add up to.
type Settings struct {
	BaseURL      string
	HTTPClient   *http.Client // a copy of the caller's client; nil for the default
	MaxAttempts  int
	MinWait      time.Duration
	MaxWait      time.Duration
	Logger       *slog.Logger
	UserAgent    string
	Clock        func() time.Time
	InsecureHTTP bool
	// TracerProvider and MeterProvider replace the otel globals; nil
	// means the globals.
	TracerProvider trace.TracerProvider
	MeterProvider  metric.MeterProvider

	extras []Extra
}

// Extra is a setting that only one provider understands, such as
// walletplatform's users-service URL.
type Extra struct {
	Provider string // the provider package it belongs to
	Option   string // the option that set it: "WithUsersURL"
	Value    any
}

// SetExtra records a provider's own setting; a later one of the same
// option replaces it.
func (s *Settings) SetExtra(provider, option string, value any) {
	for i, e := range s.extras {
		if e.Provider == provider && e.Option == option {
			s.extras[i].Value = value
			return
		}
	}
	s.extras = append(s.extras, Extra{Provider: provider, Option: option, Value: value})
}

// Extra returns the value a provider's own option set, if it was given.
func (s Settings) Extra(provider, option string) (any, bool) {
	for _, e := range s.extras {
		if e.Provider == provider && e.Option == option {
			return e.Value, true
		}
	}
	return nil, false
}

// Foreign returns an option given to provider's New that belongs to
// another provider: a mistake New refuses rather than ignores.
func (s Settings) Foreign(provider string) (Extra, bool) {
	for _, e := range s.extras {
		if e.Provider != provider {
			return e, true
		}
	}
	return Extra{}, false
}

// Func adapts a function to an option: it is how the root package and the
// provider packages write theirs.
type Func func(*Settings) error

// Apply calls f.
func (f Func) Apply(s *Settings) error { return f(s) }
