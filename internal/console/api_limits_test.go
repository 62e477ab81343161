package console

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/restrictkit/restrict/bulk"
	"github.com/stretchr/testify/require"
)

func TestAPISetLimitSetsAndReads(t *testing.T) {
	t.Parallel()
	f := &apiFixture{testServer: newTestServer(t, nil), doc: loadAPIDoc(t)}
	resp, body := f.send(t, "PUT", "/api/v1/limits/{provider}", "/api/v1/limits/purse", "application/json", `{"rate": 2.5, "concurrency": 3}`)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
	var got struct{ Limit bulk.Limit }
	require.NoError(t, json.Unmarshal(body, &got))
	require.Equal(t, "purse", got.Limit.Provider)
	require.Equal(t, 2.5, got.Limit.Rate)
	require.Equal(t, 3, got.Limit.Concurrency)
	require.Equal(t, "otto", got.Limit.UpdatedBy, "the change is recorded under the token's name")

	resp, body = f.send(t, "PUT", "/api/v1/limits/{provider}", "/api/v1/limits/purse", "application/json", `{"concurrency": 0}`)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
	status, body := f.get(t, "/api/v1/limits", "/api/v1/limits")
	require.Equal(t, http.StatusOK, status)
	var list struct{ Limits []bulk.Limit }
	require.NoError(t, json.Unmarshal(body, &list))
	require.Len(t, list.Limits, 1)
	require.Equal(t, 2.5, list.Limits[0].Rate, "a rate left out is kept")
	require.Equal(t, 0, list.Limits[0].Concurrency)
}

func TestAPISetLimitRefusals(t *testing.T) {
	t.Parallel()
	f := &apiFixture{testServer: newTestServer(t, nil), doc: loadAPIDoc(t)}
	for _, tc := range []struct {
		path, contentType, body string
		status                  int
		slug                    string
		pointers                []string
	}{
		{"/api/v1/limits/nope", "application/json", `{"rate": 1}`, 404, "provider-not-found", nil},
		{"/api/v1/limits/purse", "text/plain", `{"rate": 1}`, 415, "unsupported-media-type", nil},
		{"/api/v1/limits/purse", "", `{"rate": 1}`, 415, "unsupported-media-type", nil},
		{"/api/v1/limits/purse", "application/json", `{"rate": "fast"}`, 400, "invalid-body", []string{"/rate"}},
		{"/api/v1/limits/purse", "application/json", `{"concurrency": 1.5}`, 400, "invalid-body", []string{"/concurrency"}},
		{"/api/v1/limits/purse", "application/json", `{"rate": 1, "burst": 2}`, 400, "invalid-body", []string{"/burst"}},
		{"/api/v1/limits/purse", "application/json", `{"rate": 1}{"rate": 2}`, 400, "invalid-body", nil},
		{"/api/v1/limits/purse", "application/json", `{}`, 422, "invalid-limit", []string{""}},
		{"/api/v1/limits/purse", "application/json", `{"rate": -1, "concurrency": -2}`, 422, "invalid-limit", []string{"/rate", "/concurrency"}},
		{"/api/v1/limits/purse", "application/json", `{"rate": 1` + strings.Repeat(" ", maxLimitBody) + `}`, 413, "body-too-large", nil},
	} {
		resp, body := f.send(t, "PUT", "/api/v1/limits/{provider}", tc.path, tc.contentType, tc.body)
		require.Equal(t, tc.status, resp.StatusCode, "%s %s: %s", tc.path, tc.body, body)
		requireProblem(t, body, tc.slug, tc.pointers...)
	}
	limits, err := f.engine.Limits(t.Context())
	require.NoError(t, err)
	require.Empty(t, limits, "a refused change changed nothing")
}
