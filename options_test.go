package restrict_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/config"
	"github.com/restrictkit/restrict/internal/transport"
)

func TestResolveOptionsDefaults(t *testing.T) {
	t.Parallel()
	o, err := transport.Resolve("p", nil)
	require.NoError(t, err)
	require.Equal(t, restrict.RetryPolicy{MaxAttempts: 3, MinWait: 200 * time.Millisecond, MaxWait: 5 * time.Second},
		restrict.RetryPolicy{MaxAttempts: o.MaxAttempts, MinWait: o.MinWait, MaxWait: o.MaxWait})
	require.Equal(t, "restrict-go/"+restrict.Version, o.UserAgent)
	require.NotNil(t, o.Logger)
	require.False(t, o.Logger.Enabled(context.Background(), -100), "silent by default")
	require.NotNil(t, o.Clock)
	require.Nil(t, o.HTTPClient)
	require.False(t, o.InsecureHTTP)
}

func TestResolveOptionsRejectsBadValues(t *testing.T) {
	t.Parallel()
	cases := map[string]restrict.Option{
		"no attempts":       restrict.WithRetry(restrict.RetryPolicy{MaxAttempts: 0}),
		"negative attempts": restrict.WithRetry(restrict.RetryPolicy{MaxAttempts: -1}),
		"negative min wait": restrict.WithRetry(restrict.RetryPolicy{MaxAttempts: 2, MinWait: -1}),
		"negative max wait": restrict.WithRetry(restrict.RetryPolicy{MaxAttempts: 2, MaxWait: -1}),
		"inverted waits":    restrict.WithRetry(restrict.RetryPolicy{MaxAttempts: 2, MinWait: time.Second, MaxWait: time.Millisecond}),
		"unparsable URL":    restrict.WithBaseURL("http://exa mple.com/%zz"),
		"relative URL":      restrict.WithBaseURL("/v1/api"),
		"no host":           restrict.WithBaseURL("https://"),
		"other scheme":      restrict.WithBaseURL("ftp://example.com"),
		"user info":         restrict.WithBaseURL("https://user:hunter2@example.com"),
		"query":             restrict.WithBaseURL("https://example.com/?key=1"),
		"nil client":        restrict.WithHTTPClient(nil),
		"nil logger":        restrict.WithLogger(nil),
		"nil clock":         restrict.WithClock(nil),
		"empty user agent":  restrict.WithUserAgent(""),
	}
	for name, opt := range cases {
		_, err := transport.Resolve("p", opts(opt))
		require.ErrorIs(t, err, restrict.ErrInvalidRequest, name)
		require.NotContains(t, err.Error(), "hunter2", name)
	}
}

func TestWithHTTPClientCopiesTheClient(t *testing.T) {
	t.Parallel()
	mine := &http.Client{Timeout: 7 * time.Second}
	o, err := transport.Resolve("p", opts(restrict.WithHTTPClient(mine)))
	require.NoError(t, err)
	require.NotSame(t, mine, o.HTTPClient)
	o.HTTPClient.Timeout = time.Second
	o.HTTPClient.CheckRedirect = func(*http.Request, []*http.Request) error { return nil }
	require.Equal(t, 7*time.Second, mine.Timeout)
	require.Nil(t, mine.CheckRedirect)
}

func TestOptionsApplyInOrder(t *testing.T) {
	t.Parallel()
	o, err := transport.Resolve("p", opts(
		restrict.WithBaseURL("https://a.example"), restrict.WithBaseURL("https://b.example/base"),
		restrict.WithUserAgent("mine/1"), restrict.WithInsecureHTTP(), nil))
	require.NoError(t, err)
	require.Equal(t, "https://b.example/base", o.BaseURL)
	require.Equal(t, "mine/1", o.UserAgent)
	require.True(t, o.InsecureHTTP)
}

func opts(o ...restrict.Option) []restrict.Option { return o }

// An option of one provider given to another's New is refused, naming it,
// rather than ignored.
func TestForeignProviderOptionIsRefused(t *testing.T) {
	t.Parallel()
	foreign := config.Func(func(s *config.Settings) error {
		s.SetExtra("walletplatform", "WithUsersURL", "https://users.example")
		return nil
	})
	_, err := transport.Resolve("purse", opts(foreign))
	require.ErrorIs(t, err, restrict.ErrInvalidRequest)
	require.Contains(t, err.Error(), "WithUsersURL is an option of walletplatform, not of purse")
	s, err := transport.Resolve("walletplatform", opts(foreign))
	require.NoError(t, err)
	v, ok := s.Extra("walletplatform", "WithUsersURL")
	require.True(t, ok)
	require.Equal(t, "https://users.example", v)
}
