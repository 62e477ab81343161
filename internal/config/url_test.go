package config_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict/internal/config"
)

func TestParseBaseURLAccepts(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{
		"https://api.example.com",
		"https://api.example.com/",
		"https://api.example.com/v1/payment",
		"http://127.0.0.1:8080/platform/wallets",
		"HTTPS://API.EXAMPLE.COM/a%2Fb",
	} {
		u, err := config.ParseBaseURL(raw)
		require.NoError(t, err, raw)
		require.NotEmpty(t, u.Host, raw)
	}
}

func TestParseBaseURLRefuses(t *testing.T) {
	t.Parallel()
	cases := map[string]struct{ raw, reason string }{
		"unparsable":    {"http://exa mple.com/%zz", "unparsable URL: "},
		"bad escape":    {"https://example.com/%zz", "unparsable URL: "},
		"relative":      {"/v1/api", "must be absolute"},
		"no scheme":     {"example.com", "must be absolute"},
		"no host":       {"https://", "must be absolute"},
		"other scheme":  {"ftp://example.com", "must be absolute"},
		"user info":     {"https://user:hunter2@example.com", "credentials in the URL are not allowed"},
		"user only":     {"https://hunter2@example.com", "credentials in the URL are not allowed"},
		"query":         {"https://example.com/?key=hunter2", "must not have a query or fragment"},
		"fragment":      {"https://example.com/#hunter2", "must not have a query or fragment"},
		"empty":         {"", "must be absolute"},
		"secret in bad": {"https://user:hunter2@exa mple.com", "unparsable URL: "},
	}
	for name, tc := range cases {
		u, err := config.ParseBaseURL(tc.raw)
		require.Error(t, err, name)
		require.Nil(t, u, name)
		require.Contains(t, err.Error(), tc.reason, name)
		require.NotContains(t, err.Error(), "hunter2", name)
		require.NotContains(t, err.Error(), "example.com", name)
	}
}
