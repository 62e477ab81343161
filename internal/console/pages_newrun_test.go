package console

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// newRunForm posts the new-run form with fields and, when file is not
// nil, an uploaded subjects file.
func (ts *testServer) postNewRun(t *testing.T, fields map[string]string, file []byte) (*http.Response, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range fields {
		require.NoError(t, mw.WriteField(k, v))
	}
	if file != nil {
		fw, err := mw.CreateFormFile("subjects_file", "subjects.csv")
		require.NoError(t, err)
		_, err = fw.Write(file)
		require.NoError(t, err)
	}
	require.NoError(t, mw.Close())
	resp := ts.bearer(t, http.MethodPost, "/runs/new", operatorToken, &b, mw.FormDataContentType())
	return resp, readAll(t, resp)
}

// confirm posts the confirmation of draft.
func (ts *testServer) confirm(t *testing.T, draft string) *http.Response {
	t.Helper()
	return ts.bearer(t, http.MethodPost, "/runs/new/confirm", operatorToken,
		strings.NewReader("draft="+draft), "application/x-www-form-urlencoded")
}

var draftField = regexp.MustCompile(`<input type="hidden" name="draft" value="([^"]+)">`)

func TestNewRunPageHasTheForm(t *testing.T) {
	ts := newTestServer(t, nil)
	status, body := ts.get(t, "/runs/new", operatorToken)
	require.Equal(t, http.StatusOK, status)
	for _, s := range []string{`<form id="new-run" method="post" action="/runs/new" enctype="multipart/form-data">`,
		`id="subjects-text" name="subjects_text"`, `type="file" id="subjects-file" name="subjects_file"`,
		`<select id="action" name="action"`, `<option value="restrict">restrict</option>`,
		`id="reason" name="reason"`, `id="name" name="name"`, `id="check"`} {
		require.Contains(t, body, s)
	}
}

func TestNewRunShowsEveryProblemOfTheFile(t *testing.T) {
	ts := newTestServer(t, nil)
	csv := "subject,purse\nalice,not-a-uuid\nalice," + purseID(1) + "\n"
	resp, body := ts.postNewRun(t, map[string]string{"action": "restrict", "reason": "r"}, []byte(csv))
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode, body)
	items := regexp.MustCompile(`<li>(\d+:\d+: [^<]+)</li>`).FindAllStringSubmatch(body, -1)
	require.Len(t, items, 2, body)
	require.True(t, strings.HasPrefix(items[0][1], "2:2: "), items[0][1])
	require.True(t, strings.HasPrefix(items[1][1], "3:1: "), items[1][1])
	require.NotContains(t, body, `id="confirm-form"`)
	runs, err := ts.engine.Runs(context.Background())
	require.NoError(t, err)
	require.Empty(t, runs, "nothing was submitted")
}

func TestNewRunChecksThenSubmitsExactlyWhatWasChecked(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.Client().CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	var csv strings.Builder
	csv.WriteString("subject,cryptomus,purse\n")
	for i := range 5 {
		fmt.Fprintf(&csv, "s-%d,order-%d,%s\n", i, i, purseID(i))
	}
	fmt.Fprintf(&csv, "only-purse,,%s\n", purseID(9))
	resp, body := ts.postNewRun(t, map[string]string{"subjects_text": csv.String(), "action": "restrict", "reason": "sanctions", "name": "from-the-form"}, nil)
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	require.Contains(t, body, `id="plan"`)
	require.Contains(t, body, `<tr class="plan-provider" data-provider="cryptomus"><td>cryptomus</td><td class="num">5</td></tr>`)
	require.Contains(t, body, `<tr class="plan-provider" data-provider="purse"><td>purse</td><td class="num">6</td></tr>`)
	require.Contains(t, body, `<form id="confirm-form" method="post" action="/runs/new/confirm">`)
	m := draftField.FindStringSubmatch(body)
	require.NotNil(t, m)
	runs, err := ts.engine.Runs(context.Background())
	require.NoError(t, err)
	require.Empty(t, runs, "a check submits nothing")

	resp = ts.confirm(t, m[1])
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, readAll(t, resp))
	require.Equal(t, "/runs/from-the-form", resp.Header.Get("Location"))
	run, err := ts.engine.Run(context.Background(), "from-the-form")
	require.NoError(t, err)
	require.EqualValues(t, 6, run.Subjects)
	require.EqualValues(t, 11, run.Jobs)
	require.Equal(t, "sanctions", run.Reason)

	resp = ts.confirm(t, m[1])
	require.Equal(t, http.StatusConflict, resp.StatusCode, "a draft is confirmed once")
	resp = ts.confirm(t, "made-up")
	require.Equal(t, http.StatusConflict, resp.StatusCode)
}

func TestNewRunRefusesAFormWithoutSubjects(t *testing.T) {
	ts := newTestServer(t, nil)
	resp, body := ts.postNewRun(t, map[string]string{"action": "restrict", "reason": "r"}, nil)
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Contains(t, body, "upload a subjects CSV or paste one")
	resp, body = ts.postNewRun(t, map[string]string{"action": "restrict", "subjects_text": "subject,purse\na," + purseID(1)}, []byte("subject,purse\nb,"+purseID(2)))
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Contains(t, body, "not both")
}

func TestDraftsAreBoundToTheirSessionAndExpire(t *testing.T) {
	ds := newDraftStore()
	now := time.Date(2026, 12, 8, 2, 0, 0, 0, time.UTC)
	otto := draftOwner(&principal{Name: "otto", Role: RoleOperator, CSRF: "session-one"})
	ottoElsewhere := draftOwner(&principal{Name: "otto", Role: RoleOperator, CSRF: "session-two"})
	d := &newRunDraft{}
	id := ds.put(otto, now, 1, d)
	_, ok := ds.take(ottoElsewhere, id, now)
	require.False(t, ok, "another session of the same token")
	got, ok := ds.take(otto, id, now.Add(draftTTL-time.Second))
	require.True(t, ok)
	require.Same(t, d, got)
	_, ok = ds.take(otto, id, now)
	require.False(t, ok, "taken once")

	id = ds.put(otto, now, 1, d)
	_, ok = ds.take(otto, id, now.Add(draftTTL))
	require.False(t, ok, "expired")

	var ids []string
	for range draftsPerOwner + 2 {
		ids = append(ids, ds.put(otto, now, 1, d))
	}
	ds.put(ottoElsewhere, now, 1, d)
	require.Len(t, ds.drafts, draftsPerOwner+1)
	_, ok = ds.take(otto, ids[0], now)
	require.False(t, ok, "the oldest is dropped past draftsPerOwner")
	_, ok = ds.take(otto, ids[len(ids)-1], now)
	require.True(t, ok)

	// All drafts together hold at most maxDraftBytes: the oldest goes.
	big := newDraftStore()
	first := big.put(otto, now, maxDraftBytes/2, d)
	second := big.put(ottoElsewhere, now, maxDraftBytes/2, d)
	third := big.put(ottoElsewhere, now, 1, d)
	_, ok = big.take(otto, first, now)
	require.False(t, ok, "dropped for the bytes")
	_, ok = big.take(ottoElsewhere, second, now)
	require.True(t, ok)
	_, ok = big.take(ottoElsewhere, third, now)
	require.True(t, ok)
	require.Zero(t, big.bytes)
}

// The plan shows the command's warnings: the same customer under two
// subjects, a subject without any ID.
func TestNewRunPlanWarns(t *testing.T) {
	ts := newTestServer(t, nil)
	csv := "subject,purse\na," + purseID(1) + "\nb," + purseID(1) + "\nc,\n"
	resp, body := ts.postNewRun(t, map[string]string{"subjects_text": csv, "action": "status"}, nil)
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	require.Contains(t, body, `<ul id="warnings" class="warnings">`)
	require.Contains(t, body, "called twice")
	require.Contains(t, body, "1 subjects have no ID at any provider")
	require.Contains(t, body, `id="plan"`)
}
