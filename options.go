package restrict

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/restrictkit/restrict/internal/config"
)

// RetryPolicy bounds how a client retries a failed call.
type RetryPolicy struct {
	// MaxAttempts counts every attempt, the first included: 1 disables
	// retries.
	MaxAttempts int
	// MinWait and MaxWait bound the exponential, jittered wait between
	// attempts. A Retry-After longer than MaxWait is not waited for: the
	// call fails at once with ErrRateLimited and APIError.RetryAfter set.
	MinWait time.Duration
	MaxWait time.Duration
}

// DefaultRetryPolicy is used when WithRetry is not given: three attempts,
// waits from 200 ms to 5 s.
var DefaultRetryPolicy = RetryPolicy{MaxAttempts: 3, MinWait: 200 * time.Millisecond, MaxWait: 5 * time.Second}

// Option configures a provider client: every provider's New takes them.
// The options in this package apply to every provider; a provider package
// may add options of its own (walletplatform.WithUsersURL), which any
// other provider's New refuses.
type Option interface {
	// Apply writes the option into the settings New builds a client
	// from. New calls it; callers have no need to.
	Apply(*config.Settings) error
}

// WithBaseURL points the client at another host, a sandbox or a fake. The
// URL must be absolute (scheme and host), without user info, query or
// fragment; a path is kept as the prefix of every call.
func WithBaseURL(rawURL string) Option {
	return config.Func(func(o *config.Settings) error {
		if _, err := config.ParseBaseURL(rawURL); err != nil {
			return fmt.Errorf("WithBaseURL: %w", err)
		}
		o.BaseURL = rawURL
		return nil
	})
}

// WithHTTPClient sends requests through a copy of c: its Transport, Timeout
// and Jar are used, and c itself is never changed. c.Timeout bounds each
// attempt, not the whole call with its retries: give the call's context a
// deadline for that. A client without a Transport gets a pool of its own,
// never http.DefaultTransport. Without this option a client uses a pool
// that keeps up to 100 idle connections per host and a 30 s timeout.
func WithHTTPClient(c *http.Client) Option {
	return config.Func(func(o *config.Settings) error {
		if c == nil {
			return errors.New("WithHTTPClient: the client is nil")
		}
		cp := *c
		o.HTTPClient = &cp
		return nil
	})
}

// WithRetry sets how failed calls are retried. Only failures that are safe
// to repeat are retried; see the package documentation of each provider.
func WithRetry(p RetryPolicy) Option {
	return config.Func(func(o *config.Settings) error {
		switch {
		case p.MaxAttempts < 1:
			return fmt.Errorf("WithRetry: MaxAttempts is %d; it counts the first attempt, so it must be at least 1", p.MaxAttempts)
		case p.MinWait < 0 || p.MaxWait < 0:
			return errors.New("WithRetry: waits must not be negative")
		case p.MinWait > p.MaxWait:
			return fmt.Errorf("WithRetry: MinWait %s is longer than MaxWait %s", p.MinWait, p.MaxWait)
		}
		o.MaxAttempts, o.MinWait, o.MaxWait = p.MaxAttempts, p.MinWait, p.MaxWait
		return nil
	})
}

// WithLogger logs every HTTP attempt at Debug level: method, host, path,
// status, attempt and duration, and nothing secret. Clients are silent
// without it.
func WithLogger(l *slog.Logger) Option {
	return config.Func(func(o *config.Settings) error {
		if l == nil {
			return errors.New("WithLogger: the logger is nil")
		}
		o.Logger = l
		return nil
	})
}

// WithUserAgent replaces the User-Agent header, restrict-go/<version> by
// default.
func WithUserAgent(ua string) Option {
	return config.Func(func(o *config.Settings) error {
		if ua == "" {
			return errors.New("WithUserAgent: the user agent is empty")
		}
		o.UserAgent = ua
		return nil
	})
}

// WithClock replaces time.Now for everything a client dates: signed
// timestamps, token expiry, Retry-After dates. Tests use it.
func WithClock(now func() time.Time) Option {
	return config.Func(func(o *config.Settings) error {
		if now == nil {
			return errors.New("WithClock: the clock is nil")
		}
		o.Clock = now
		return nil
	})
}

// WithInsecureHTTP allows plain http:// to a host that is not loopback.
// Without it such a base URL is refused, so credentials never cross a
// network in clear text by accident.
func WithInsecureHTTP() Option {
	return config.Func(func(o *config.Settings) error {
		o.InsecureHTTP = true
		return nil
	})
}
