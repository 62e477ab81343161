package console

import (
	"context"
	"errors"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestProbes(t *testing.T) {
	down := errors.New("dial tcp db.internal:5432: connection refused")
	ready := error(nil)
	metrics := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "restrict_bulk_jobs_total 3\n") })
	ts := newTestServer(t, func(c *Config) {
		c.Ready = func(context.Context) error { return ready }
		c.Metrics = metrics
	})
	get := func(path, token string) (int, string) {
		resp := ts.bearer(t, "GET", path, token, nil, "")
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(b)
	}
	status, body := get("/healthz", "")
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, "ok\n", body)
	status, _ = get("/readyz", "")
	assert.Equal(t, http.StatusOK, status)

	ready = down
	status, body = get("/readyz", "")
	assert.Equal(t, http.StatusServiceUnavailable, status)
	assert.NotContains(t, body, "db.internal", "the database's address is not for anyone who asks")

	status, _ = get("/metrics", "")
	assert.Equal(t, http.StatusUnauthorized, status)
	status, body = get("/metrics", viewerToken)
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, "restrict_bulk_jobs_total 3")

	bare := newTestServer(t, nil)
	resp := bare.bearer(t, "GET", "/metrics", viewerToken, nil, "")
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
}
