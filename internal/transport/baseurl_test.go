package transport_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/config"
	"github.com/restrictkit/restrict/internal/transport"
	"github.com/restrictkit/restrict/walletplatform"
)

// Every place that takes a base URL applies config.ParseBaseURL's rule, and
// says so in its own name: the same URL is refused, for the same reason, by
// all three.
func TestBaseURLsShareOneRule(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{
		"http://exa mple.com/%zz",
		"/v1/api",
		"ftp://example.com",
		"https://user:hunter2@example.com",
		"https://example.com/?key=hunter2",
		"https://example.com/#x",
	} {
		_, want := config.ParseBaseURL(raw)
		require.Error(t, want, raw)
		reason := want.Error()

		_, err := transport.Resolve("p", []restrict.Option{restrict.WithBaseURL(raw)})
		require.ErrorIs(t, err, restrict.ErrInvalidRequest, raw)
		require.Contains(t, err.Error(), "WithBaseURL: "+reason, raw)

		_, err = transport.Resolve(walletplatform.Provider, []restrict.Option{walletplatform.WithUsersURL(raw)})
		require.ErrorIs(t, err, restrict.ErrInvalidRequest, raw)
		require.Contains(t, err.Error(), "WithUsersURL: "+reason, raw)

		_, err = transport.ParseURL(raw, true)
		require.EqualError(t, err, "base URL: "+reason, raw)

		for _, e := range []string{reason, err.Error()} {
			require.False(t, strings.Contains(e, "hunter2"), raw)
		}
	}
}

func TestParseURLRefusesPlainHTTPOffLoopback(t *testing.T) {
	t.Parallel()
	_, err := transport.ParseURL("http://20.87.230.105/platform/wallets", false)
	require.ErrorContains(t, err, "plain http to 20.87.230.105")
	_, err = transport.ParseURL("http://20.87.230.105/platform/wallets", true)
	require.NoError(t, err)
	_, err = transport.ParseURL("http://localhost:8080", false)
	require.NoError(t, err)
}
