package restricttest

import (
	"errors"
	"net/http"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/config"
)

// WithTransport returns the option that sends every request of a provider
// client through rt, and nowhere else: an httpmock.MockTransport,
// httpmock.DefaultTransport, or any RoundTripper that records or fails.
// It is restrict.WithHTTPClient(&http.Client{Transport: rt}), with no
// per-attempt timeout; a nil rt is refused by New, since a client without
// a transport would reach the real provider.
//
// httpmock.Activate alone does not intercept these clients: it replaces
// http.DefaultTransport, which no client of this module uses (so that no
// other code in the process can change how its payment calls travel), and
// a test relying on it would call the real host. Hand the mock's
// transport to the client with this option instead.
func WithTransport(rt http.RoundTripper) restrict.Option {
	if rt == nil {
		return config.Func(func(*config.Settings) error {
			return errors.New("restricttest.WithTransport: the RoundTripper is nil, and the client would reach the real provider")
		})
	}
	return restrict.WithHTTPClient(&http.Client{Transport: rt})
}
