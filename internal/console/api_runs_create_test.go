package console

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/subjects"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A subjects file and the same list as JSON, of two subjects at both
// providers.
const (
	subjectsCSV  = "subject,cryptomus,purse\nc1," + idCrypto1 + "," + idPurse1 + "\nc2,," + idPurse2 + "\n"
	subjectsJSON = `[{"key": "c1", "ids": {"cryptomus": "` + idCrypto1 + `", "purse": "` + idPurse1 + `"}}, {"key": "c2", "ids": {"purse": "` + idPurse2 + `"}}]`
)

// createRunAnswers drives POST /api/v1/runs to each of its answers, for
// the document's check.
func createRunAnswers(t *testing.T, f *apiFixture) {
	t.Helper()
	const path = "/api/v1/runs"
	for _, tc := range []struct {
		query, contentType, body string
		status                   int
	}{
		{"", "application/json", `{"action": "status", "dry_run": true, "subjects": ` + subjectsJSON + `}`, 200},
		{"", "application/json", `{"name": "api-1", "action": "status", "subjects": ` + subjectsJSON + `}`, 201},
		{"?action=status&name=api-1", "text/csv", subjectsCSV, 0},
		{"?action=status&dry_run=true", "text/csv", subjectsCSV, 200},
		{"", "application/json", `{"action": "status", "subjects": [{"key": "c1", "ids": {"purse": "not-a-uuid"}}]}`, 422},
		{"", "application/json", `{"action": "stop", "subjects": ` + subjectsJSON + `}`, 422},
		{"", "application/json", `{"action": "status", "subjects": [{"key": "c1", "id": {}}]}`, 400},
		{"?action=status&dryrun=1", "text/csv", subjectsCSV, 400},
		{"", "text/plain", subjectsCSV, 415},
		{"", "application/json", `{"name": "r1", "action": "restrict", "reason": "court order", "subjects": ` + subjectsJSON + `}`, 409},
	} {
		resp, body := f.send(t, "POST", path, path+tc.query, tc.contentType, tc.body)
		if tc.status != 0 {
			require.Equal(t, tc.status, resp.StatusCode, "%s %s: %s", tc.query, tc.body, body)
		}
	}
	viewer := f.bearer(t, "POST", path, viewerToken, strings.NewReader(`{"action": "status", "subjects": []}`), "application/json")
	f.doc.check(t, "POST", path, viewer)
}

// createRun posts a run with the operator's token and checks the answer
// against the document.
func (f *apiFixture) createRun(t *testing.T, query, contentType, body string) (*http.Response, []byte) {
	t.Helper()
	return f.send(t, "POST", "/api/v1/runs", "/api/v1/runs"+query, contentType, body)
}

func TestAPICreateRunFromJSON(t *testing.T) {
	t.Parallel()
	f := &apiFixture{testServer: newTestServer(t, nil), doc: loadAPIDoc(t)}
	resp, body := f.createRun(t, "", "application/json", `{"name": "api-1", "action": "restrict", "reason": "court order", "subjects": `+subjectsJSON+`}`)
	require.Equal(t, http.StatusCreated, resp.StatusCode, "%s", body)
	require.Equal(t, "/api/v1/runs/api-1", resp.Header.Get("Location"))
	var d runDetail
	require.NoError(t, json.Unmarshal(body, &d))
	require.Equal(t, "api-1", d.Run.Name)
	require.Equal(t, restrict.OpRestrict, d.Run.Op)
	require.Equal(t, "court order", d.Run.Reason)
	require.Equal(t, "otto", d.Run.SubmittedBy, "the run records the token's name")
	require.EqualValues(t, 3, d.Run.Jobs)
	require.Equal(t, "api-1", d.Progress.Run)
	require.EqualValues(t, 3, d.Progress.All.Total)
	require.Eventually(t, func() bool {
		p, err := f.engine.Progress(t.Context(), "api-1")
		return err == nil && p.Finished()
	}, time.Minute, 20*time.Millisecond)
	require.Equal(t, restrict.StateRestricted, f.fakes["purse"].State(idPurse2))
}

func TestAPICreateRunFromCSV(t *testing.T) {
	t.Parallel()
	f := &apiFixture{testServer: newTestServer(t, nil), doc: loadAPIDoc(t)}
	resp, body := f.createRun(t, "?action=lift&reason=cleared&name=csv-1", "text/csv; charset=utf-8", subjectsCSV)
	require.Equal(t, http.StatusCreated, resp.StatusCode, "%s", body)
	ri, err := f.engine.Run(t.Context(), "csv-1")
	require.NoError(t, err)
	require.Equal(t, restrict.OpLift, ri.Op)
	require.Equal(t, "cleared", ri.Reason)
	require.EqualValues(t, 2, ri.Subjects)
}

func TestAPICreateRunDryRunSubmitsNothing(t *testing.T) {
	t.Parallel()
	f := &apiFixture{testServer: newTestServer(t, nil), doc: loadAPIDoc(t)}
	for _, tc := range []struct{ query, contentType, body string }{
		{"", "application/json", `{"action": "restrict", "dry_run": true, "subjects": ` + subjectsJSON + `}`},
		{"?action=restrict&dry_run=true", "text/csv", subjectsCSV},
	} {
		resp, body := f.createRun(t, tc.query, tc.contentType, tc.body)
		require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
		var got struct{ Plan subjects.Plan }
		require.NoError(t, json.Unmarshal(body, &got))
		require.Equal(t, restrict.OpRestrict, got.Plan.Action)
		require.Equal(t, 2, got.Plan.Subjects)
		require.Equal(t, map[string]int{"cryptomus": 1, "purse": 2}, got.Plan.Jobs)
		require.True(t, strings.HasPrefix(got.Plan.Run, "restrict-"), got.Plan.Run)
	}
	runs, err := f.engine.Runs(t.Context())
	require.NoError(t, err)
	require.Empty(t, runs)
}

func TestAPICreateRunRefusals(t *testing.T) {
	t.Parallel()
	f := newAPIFixture(t)
	for _, tc := range []struct {
		name, query, contentType, body string
		status                         int
		slug                           string
		pointers                       []string
	}{
		{"unknown media type", "", "text/plain", subjectsCSV, 415, "unsupported-media-type", nil},
		{"no media type", "", "", subjectsCSV, 415, "unsupported-media-type", nil},
		{"unknown field", "", "application/json", `{"action": "status", "subjects": [{"key": "c1", "ids": {}}, {"key": "c2", "id": {}}]}`, 400, "invalid-body", []string{"/subjects/1/id"}},
		{"wrong type", "", "application/json", `{"action": "status", "dry_run": "yes", "subjects": []}`, 400, "invalid-body", []string{"/dry_run"}},
		{"two values", "", "application/json", `{"action": "status", "subjects": []} {}`, 400, "invalid-body", nil},
		{"query with JSON", "?action=status", "application/json", `{"action": "status", "subjects": []}`, 400, "invalid-query", []string{"?action"}},
		{"unknown parameter", "?action=status&dryrun=1", "text/csv", subjectsCSV, 400, "invalid-query", []string{"?dryrun"}},
		{"bad dry_run", "?action=status&dry_run=maybe", "text/csv", subjectsCSV, 400, "invalid-query", []string{"?dry_run"}},
		{"bad action", "", "application/json", `{"action": "stop", "subjects": ` + subjectsJSON + `}`, 422, "invalid-run", []string{"/action"}},
		{"no action", "?reason=x", "text/csv", subjectsCSV, 422, "invalid-run", []string{"?action"}},
		{"bad name", "", "application/json", `{"name": "a\u0007b", "action": "status", "subjects": ` + subjectsJSON + `}`, 422, "invalid-run", []string{"/name"}},
		{"bad reason", "", "application/json", `{"action": "status", "reason": "a\nb", "subjects": ` + subjectsJSON + `}`, 422, "invalid-run", []string{"/reason"}},
		{"bad reason in the query", "?action=status&reason=%1b", "text/csv", subjectsCSV, 422, "invalid-run", []string{"?reason"}},
		{"no subjects", "", "application/json", `{"action": "status"}`, 422, "invalid-subjects", []string{"/subjects"}},
		{"empty file", "?action=status", "text/csv", "", 422, "invalid-subjects", []string{""}},
		{"finished run", "", "application/json", `{"name": "r1", "action": "restrict", "reason": "court order", "subjects": ` + subjectsJSON + `}`, 409, "run-finished", nil},
		{"too large", "?action=status", "text/csv", strings.Repeat("x", maxUpload+1), 413, "body-too-large", nil},
	} {
		resp, body := f.createRun(t, tc.query, tc.contentType, tc.body)
		require.Equal(t, tc.status, resp.StatusCode, "%s: %s", tc.name, body)
		requireProblem(t, body, tc.slug, tc.pointers...)
	}
	runs, err := f.engine.Runs(t.Context())
	require.NoError(t, err)
	require.Len(t, runs, 1, "nothing refused was submitted")
}

func TestAPICreateRunListsEverySubjectProblem(t *testing.T) {
	t.Parallel()
	f := &apiFixture{testServer: newTestServer(t, nil), doc: loadAPIDoc(t)}
	resp, body := f.createRun(t, "?action=restrict", "text/csv", "subject,purse\nc1,not-a-uuid\n,"+idPurse1+"\n")
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode, "%s", body)
	p := requireProblem(t, body, "invalid-subjects")
	require.Len(t, p.Errors, 2, "%s", body)
	require.Equal(t, fieldProblem{Line: 2, Column: 2, Message: `purse would refuse ID "not-a-uuid": ID must be a UUID (8-4-4-4-12 hexadecimal digits)`}, p.Errors[0])
	require.Equal(t, fieldProblem{Line: 3, Column: 1, Message: "the subject is empty"}, p.Errors[1])

	resp, body = f.createRun(t, "", "application/json", `{"action": "restrict", "subjects": [{"key": "c1", "ids": {"purse": "not-a-uuid"}}, {"key": "c1", "ids": {"purse": "`+idPurse1+`"}}]}`)
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode, "%s", body)
	requireProblem(t, body, "invalid-subjects", "/subjects/0/ids/purse", "/subjects/1/key")

	// A provider without credentials on this server is refused where its
	// column is.
	resp, body = f.createRun(t, "?action=restrict", "text/csv", "subject,purse,kpayment\nc1,"+idPurse1+","+idPurse2+"\n")
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode, "%s", body)
	p = requireProblem(t, body, "invalid-subjects")
	require.Len(t, p.Errors, 1, "%s", body)
	require.Equal(t, 1, p.Errors[0].Line)
	require.Equal(t, 3, p.Errors[0].Column)
	require.Contains(t, p.Errors[0].Message, "kpayment is not configured on this server")
}

func TestAPICreateRunRefusesAConflict(t *testing.T) {
	t.Parallel()
	f := &apiFixture{testServer: newTestServer(t, nil), doc: loadAPIDoc(t)}
	// The provider keeps failing as unavailable, so that the run stays
	// unfinished, retrying, while it is submitted again.
	f.fakes["purse"].FailWith(idPurse2, &restrict.APIError{Provider: "purse", Operation: "BlockCustomer", StatusCode: 503,
		Message: "down", Attempts: 1, Class: restrict.ErrUnavailable})
	resp, body := f.createRun(t, "?action=restrict&reason=court+order&name=held", "text/csv", subjectsCSV)
	require.Equal(t, http.StatusCreated, resp.StatusCode, "%s", body)
	resp, body = f.createRun(t, "?action=restrict&reason=court+order&name=held", "text/csv", subjectsCSV)
	require.Equal(t, http.StatusCreated, resp.StatusCode, "the same submission again resumes it: %s", body)
	resp, body = f.createRun(t, "?action=restrict&reason=another&name=held", "text/csv", subjectsCSV)
	require.Equal(t, http.StatusConflict, resp.StatusCode, "%s", body)
	p := requireProblem(t, body, "conflict")
	require.Contains(t, p.Detail, "reason")
	ri, err := f.engine.Run(t.Context(), "held")
	require.NoError(t, err)
	require.False(t, ri.Finished(), "the run was unfinished when it was refused")
	require.Equal(t, "court order", ri.Reason)
}

// The command's warnings (the same customer under two subjects, a subject
// without an ID) come with the plan and with the run submitted.
func TestAPICreateRunWarns(t *testing.T) {
	t.Parallel()
	f := &apiFixture{testServer: newTestServer(t, nil), doc: loadAPIDoc(t)}
	list := `[{"key": "c1", "ids": {"purse": "` + idPurse1 + `"}}, {"key": "c2", "ids": {"purse": "` + idPurse1 + `"}}, {"key": "c3", "ids": {"purse": ""}}]`
	resp, body := f.createRun(t, "", "application/json", `{"action": "status", "dry_run": true, "subjects": `+list+`}`)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
	var plan struct{ Warnings []string }
	require.NoError(t, json.Unmarshal(body, &plan))
	require.Len(t, plan.Warnings, 3, "%q", plan.Warnings)
	assert.Contains(t, plan.Warnings[0], idPurse1)
	assert.Contains(t, plan.Warnings[1], "called twice")
	assert.Contains(t, plan.Warnings[2], "1 subjects have no ID")

	resp, body = f.createRun(t, "", "application/json", `{"action": "status", "subjects": `+list+`}`)
	require.Equal(t, http.StatusCreated, resp.StatusCode, "%s", body)
	var created struct{ Warnings []string }
	require.NoError(t, json.Unmarshal(body, &created))
	assert.Equal(t, plan.Warnings, created.Warnings)
}
