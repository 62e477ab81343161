package console

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/restrictkit/restrict/bulk"
	"github.com/stretchr/testify/require"
)

func TestAPIRunsListsAndReadsRuns(t *testing.T) {
	t.Parallel()
	f := newAPIFixture(t)
	status, body := f.get(t, "/api/v1/runs", "/api/v1/runs")
	require.Equal(t, http.StatusOK, status)
	var list struct{ Runs []bulk.RunInfo }
	require.NoError(t, json.Unmarshal(body, &list))
	require.Len(t, list.Runs, 1)
	require.Equal(t, "r1", list.Runs[0].Name)
	require.Equal(t, "otto", list.Runs[0].SubmittedBy)
	require.EqualValues(t, 4, list.Runs[0].Jobs)

	status, body = f.get(t, "/api/v1/runs/{name}", "/api/v1/runs/r1")
	require.Equal(t, http.StatusOK, status)
	var d struct {
		Run      bulk.RunInfo
		Progress bulk.Progress
	}
	require.NoError(t, json.Unmarshal(body, &d))
	require.True(t, d.Run.Finished())
	require.Equal(t, bulk.Counts{Total: 4, OK: 3, Failed: 1, Restricted: 3}, d.Progress.All)
	require.Len(t, d.Progress.Providers, 2)
	require.Equal(t, bulk.Counts{Provider: "purse", Total: 2, OK: 1, Failed: 1, Restricted: 1}, d.Progress.Providers[1])
}

func TestAPIRunsAnswersAnEmptyList(t *testing.T) {
	t.Parallel()
	f := &apiFixture{testServer: newTestServer(t, nil), doc: loadAPIDoc(t)}
	status, body := f.get(t, "/api/v1/runs", "/api/v1/runs")
	require.Equal(t, http.StatusOK, status)
	require.JSONEq(t, `{"runs": []}`, string(body))
}

func TestAPIRunNotFound(t *testing.T) {
	t.Parallel()
	f := &apiFixture{testServer: newTestServer(t, nil), doc: loadAPIDoc(t)}
	for _, path := range []string{"/api/v1/runs/nope", "/api/v1/runs/nope/outcomes"} {
		pattern := "/api/v1/runs/{name}"
		if path != "/api/v1/runs/nope" {
			pattern += "/outcomes"
		}
		status, body := f.get(t, pattern, path)
		require.Equal(t, http.StatusNotFound, status, path)
		requireProblem(t, body, "run-not-found")
	}
}
