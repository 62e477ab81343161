package console

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/restrictkit/restrict/bulk"
	"github.com/stretchr/testify/require"
)

func TestDownloadsEscapeFormulasAndKeepTheFilters(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.fakes["purse"].FailWith(purseID(1), errNotFound)
	formula := `=HYPERLINK("http://example.invalid","x")`
	ts.finishedRun(t, "run/with spaces", testSubjects(3, bulk.Subject{Key: formula, IDs: map[string]string{"cryptomus": "formula"}}))

	resp := ts.bearer(t, http.MethodGet, "/runs/run%2Fwith%20spaces/outcomes.csv", viewerToken, nil, "")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "text/csv; charset=utf-8", resp.Header.Get("Content-Type"))
	require.Equal(t, `attachment; filename="restrict-run_with_spaces-outcomes.csv"`, resp.Header.Get("Content-Disposition"))
	rows, err := csv.NewReader(resp.Body).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 1+7)
	var cells []string
	for _, row := range rows {
		cells = append(cells, row...)
	}
	require.Contains(t, cells, "'"+formula, "a formula is escaped as the command escapes it")
	require.NotContains(t, cells, formula)

	resp = ts.bearer(t, http.MethodGet, "/runs/run%2Fwith%20spaces/outcomes.json?result=failed&limit=1&after=ignored", viewerToken, nil, "")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, `attachment; filename="restrict-run_with_spaces-outcomes.json"`, resp.Header.Get("Content-Disposition"))
	var outcomes []bulk.Outcome
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&outcomes))
	require.Len(t, outcomes, 1, "the filters, without the paging")
	require.Equal(t, "key-0001", outcomes[0].Subject)
	require.Equal(t, bulk.ResultFailed, outcomes[0].Result)
}

func TestDownloadNameIsSafe(t *testing.T) {
	for run, want := range map[string]string{
		"sanctions-2026":         "restrict-sanctions-2026-outcomes.csv",
		`a"b\r\nc;d`:             "restrict-a_b_r_nc_d-outcomes.csv",
		"../../etc":              "restrict-.._.._etc-outcomes.csv",
		strings.Repeat("x", 300): "restrict-" + strings.Repeat("x", 100) + "-outcomes.csv",
	} {
		require.Equal(t, want, downloadName(run, "csv"), run)
	}
}
