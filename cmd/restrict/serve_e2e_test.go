package main_test

import (
	"context"
	"net/http"
	"regexp"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict/internal/testkit"
)

const serveToken = "ada-operator-token-0123456789abcdefghijklmn"

var servingAt = regexp.MustCompile(`serving the console on (http://[0-9.:]+) `)

// TestServeStopsGracefullyOnSIGTERM runs the built binary as systemd
// would stop it: SIGTERM ends it with exit 0.
func TestServeStopsGracefullyOnSIGTERM(t *testing.T) {
	s := newSession(t)
	s.env = append(s.env, "RESTRICT_CONSOLE_TOKENS=ada:operator:"+serveToken)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := s.command(ctx, "serve", "--addr", "127.0.0.1:0")
	var stderr testkit.SyncBuffer
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	var base string
	require.Eventually(t, func() bool {
		m := servingAt.FindStringSubmatch(stderr.String())
		if m != nil {
			base = m[1]
		}
		return m != nil
	}, 60*time.Second, 20*time.Millisecond, "%s", &stderr)
	resp, err := http.Get(base + "/healthz")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	err = cmd.Wait()
	require.NoError(t, err, "%s", &stderr)
	assert.Contains(t, stderr.String(), "restrict: stopped")
	assert.NotContains(t, stderr.String(), serveToken)
}
