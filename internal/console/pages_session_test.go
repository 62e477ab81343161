package console

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var csrfField = regexp.MustCompile(`<input type="hidden" name="csrf" value="([^"]+)">`)

// formCSRF is the CSRF field of the form id in body.
func formCSRF(t *testing.T, body, id string) string {
	t.Helper()
	i := strings.Index(body, `<form id="`+id+`"`)
	require.GreaterOrEqual(t, i, 0, "no form %s", id)
	m := csrfField.FindStringSubmatch(body[i:])
	require.NotNil(t, m, "form %s has no CSRF field", id)
	return m[1]
}

// TestNewRunInABrowserSession goes through the new-run form as a browser
// does: a session cookie, and the CSRF token each form carries.
func TestNewRunInABrowserSession(t *testing.T) {
	ts := newTestServer(t, nil)
	cookie, csrf := ts.login(t, operatorToken)
	send := func(req *http.Request) (*http.Response, string) {
		req.AddCookie(cookie)
		resp := ts.do(t, req)
		return resp, readBody(t, resp)
	}

	resp, body := send(ts.request(t, http.MethodGet, "/runs/new", nil))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, csrf, formCSRF(t, body, "new-run"))

	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	require.NoError(t, mw.WriteField("csrf", csrf))
	require.NoError(t, mw.WriteField("action", "restrict"))
	require.NoError(t, mw.WriteField("reason", "sanctions"))
	fw, err := mw.CreateFormFile("subjects_file", "list.csv")
	require.NoError(t, err)
	_, err = fw.Write([]byte("subject,purse\nalice," + purseID(1) + "\nbob," + purseID(2) + "\n"))
	require.NoError(t, err)
	require.NoError(t, mw.Close())
	req, err := http.NewRequest(http.MethodPost, ts.URL+"/runs/new", &b)
	require.NoError(t, err)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, body = send(req)
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	require.Contains(t, body, `id="plan"`)
	draft := draftField.FindStringSubmatch(body)[1]
	require.Equal(t, csrf, formCSRF(t, body, "confirm-form"))

	// Another session of the same token cannot confirm it.
	other, otherCSRF := ts.login(t, operatorToken)
	req = ts.request(t, http.MethodPost, "/runs/new/confirm", url.Values{"csrf": {otherCSRF}, "draft": {draft}})
	req.AddCookie(other)
	require.Equal(t, http.StatusConflict, ts.do(t, req).StatusCode)

	resp, _ = send(ts.request(t, http.MethodPost, "/runs/new/confirm", url.Values{"csrf": {csrf}, "draft": {draft}}))
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	name := strings.TrimPrefix(resp.Header.Get("Location"), "/runs/")
	run, err := ts.engine.Run(t.Context(), name)
	require.NoError(t, err)
	require.Equal(t, "otto", run.SubmittedBy)
	require.EqualValues(t, 2, run.Jobs)
}

func TestLimitsFormInABrowserSession(t *testing.T) {
	ts := newTestServer(t, nil)
	cookie, csrf := ts.login(t, operatorToken)
	req := ts.request(t, http.MethodGet, "/limits", nil)
	req.AddCookie(cookie)
	resp := ts.do(t, req)
	body := readBody(t, resp)
	require.Equal(t, csrf, formCSRF(t, body, "limits-form"))
	require.Contains(t, body, `id="limits-save"`)

	req = ts.request(t, http.MethodPost, "/limits", url.Values{"csrf": {csrf}, "concurrency_cryptomus": {"2"}})
	req.AddCookie(cookie)
	require.Equal(t, http.StatusSeeOther, ts.do(t, req).StatusCode)
	limits, err := ts.engine.Limits(t.Context())
	require.NoError(t, err)
	require.Len(t, limits, 1)
	require.Equal(t, 2, limits[0].Concurrency)
}
