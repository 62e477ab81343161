package console

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestHomeGoesToRuns(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.Client().CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp := ts.bearer(t, http.MethodGet, "/", viewerToken, nil, "")
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, "/runs", resp.Header.Get("Location"))
}

func TestRunsPageListsEveryRunNewestFirst(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.fakes["purse"].FailWith(purseID(1), errNotFound)
	ts.finishedRun(t, "first-run", testSubjects(3))
	ts.finishedRun(t, "second/run", testSubjects(2))

	status, body := ts.get(t, "/runs", viewerToken)
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, `id="runs"`)
	require.Equal(t, 2, strings.Count(body, `<tr class="run">`))
	second, first := strings.Index(body, ">second/run<"), strings.Index(body, ">first-run<")
	require.True(t, second > 0 && first > second, "newest first")
	require.Contains(t, body, `href="/runs/second%2Frun"`, "a run's name is one path segment")
	// first-run: 6 jobs, one failed at purse.
	row := body[first:]
	row = row[:strings.Index(row, "</tr>")]
	require.Contains(t, row, `<td class="num">5</td>`)
	require.Contains(t, row, `<td class="num">1</td>`)
	require.NotContains(t, body, `id="new-run-link"`, "a viewer may not submit runs")
}

func TestRunsPageOffersANewRunToOperators(t *testing.T) {
	ts := newTestServer(t, nil)
	_, body := ts.get(t, "/runs", operatorToken)
	require.Contains(t, body, `<span class="who" id="who">otto (operator)</span>`)
	require.Contains(t, body, `id="new-run-link"`)
}
