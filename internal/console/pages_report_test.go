package console

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/restrictkit/restrict/bulk"
	"github.com/stretchr/testify/require"
)

func TestReportPage(t *testing.T) {
	ts := newTestServer(t, nil)
	require.NoError(t, ts.engine.SetRate(context.Background(), "purse", 12.5, "otto"))
	ts.fakes["purse"].FailWith(purseID(1), errNotFound)
	ts.fakes["purse"].FailWith(purseID(3), errNotFound)
	ts.finishedRun(t, "audited", testSubjects(5, subjectWithKey(hostileKey)))

	status, body := ts.get(t, "/runs/audited/report", viewerToken)
	require.Equal(t, http.StatusOK, status, body)
	for _, id := range []string{"audit-report", "summary", "failures", "limits-in-force", "submitted-by", "funds-after-restriction"} {
		require.Contains(t, body, `id="`+id+`"`)
	}
	require.NotContains(t, body, "<script>alert")
	require.Contains(t, body, `<td id="submitted-by">otto</td>`)
	require.Contains(t, body, "Limits in force when this report was printed")
	require.Regexp(t, `<td>purse</td><td>12.5/s</td>`, body)
	// purse: 3 ok (restricted), 2 failed; cryptomus: 6 ok.
	require.Contains(t, body, `<tr data-provider="purse"><td>purse</td><td class="num">3</td><td class="num">0</td><td class="num">0</td><td class="num">2</td><td class="num">0</td><td class="num">0</td><td class="num">5</td></tr>`)
	failures := table(t, body, "failures")
	require.Equal(t, 2, strings.Count(failures, `<tr class="failure">`))
	require.Regexp(t, regexp.MustCompile(`key-0001</td><td>purse</td><td>[^<]+</td><td class="class">not_found</td>`), failures)
	require.NotContains(t, body, `id="more-failures"`)
	require.Regexp(t, `<tr><td>cryptomus</td><td class="num">6</td></tr>`, body)
}

func TestReportCapsTheFailures(t *testing.T) {
	ts := newTestServer(t, nil)
	for i := range 5 {
		ts.fakes["purse"].FailWith(purseID(i), errNotFound)
	}
	ts.finishedRun(t, "all-failed", testSubjects(5))

	d := reportData{Run: &bulk.RunInfo{Name: "all-failed"}, Progress: &bulk.Progress{}}
	require.NoError(t, ts.srv.readJournal(context.Background(), "all-failed", 2, &d))
	require.Len(t, d.Failures, 2)
	require.Equal(t, []string{"key-0000", "key-0001"}, []string{d.Failures[0].Subject, d.Failures[1].Subject})
	require.EqualValues(t, 3, d.MoreFailures)
	require.Equal(t, []providerAttempts{{Provider: "cryptomus", Attempts: 5}, {Provider: "purse", Attempts: 0}}, d.Attempts)

	w := httptest.NewRecorder()
	ts.srv.render(w, httptest.NewRequest(http.MethodGet, "/", nil), nil, http.StatusOK, "report.html", "r", d)
	require.Contains(t, w.Body.String(), `<p id="more-failures">And 3 more failures, not listed here: the <a href="/runs/all-failed/outcomes.csv?result=failed">`)
}
