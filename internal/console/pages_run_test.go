package console

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/bulk"
	"github.com/stretchr/testify/require"
)

const hostileKey = `<script>alert("x")</script>`

func TestRunPageShowsProgressAndEscapesKeys(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.fakes["purse"].FailWith(purseID(2), errNotFound)
	ts.finishedRun(t, "escaping", testSubjects(4, bulk.Subject{Key: hostileKey, IDs: map[string]string{"cryptomus": "hostile"}}))

	status, body := ts.get(t, "/runs/escaping", viewerToken)
	require.Equal(t, http.StatusOK, status, body)
	require.NotContains(t, body, "<script>alert")
	require.Contains(t, body, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;")
	require.Contains(t, body, `href="/subjects/`+html.EscapeString(url.PathEscape(hostileKey))+`"`)
	require.Contains(t, body, `<strong id="run-state">finished</strong>`)
	require.Contains(t, body, `<progress class="bar" data-provider="purse" value="4" max="4">`)
	require.Contains(t, body, `<progress id="bar-all" class="bar all" value="9" max="9">`)
	require.Contains(t, body, `<td class="pct num" data-provider="cryptomus">100.0%</td>`)
	require.Equal(t, 9, strings.Count(body, `<tr class="outcome">`))
	for _, id := range []string{"filters", "f-provider", "f-result", "f-state", "f-class", "f-subject", "f-apply", "outcomes", "download-csv", "download-json", "report-link"} {
		require.Contains(t, body, `id="`+id+`"`)
	}
	require.NotContains(t, body, `id="next-page"`)
	require.NotContains(t, body, "http-equiv", "a finished run does not refresh itself")
	require.NotRegexp(t, `<script>|style=`, body[strings.Index(body, "<body>"):], "no inline script or style")
}

func TestRunPageFiltersAndPages(t *testing.T) {
	ts := newTestServer(t, nil)
	for i := 0; i < 300; i += 7 {
		ts.fakes["purse"].FailWith(purseID(i), errNotFound)
	}
	ts.finishedRun(t, "paged", testSubjects(300))

	// Every failure, 20 a page, by following #next-page.
	link := regexp.MustCompile(`<a id="next-page" href="([^"]+)"`)
	subject := regexp.MustCompile(`<a class="subject-link" href="/subjects/([^"]+)">`)
	path, seen, pages := "/runs/paged?result=failed&limit=20", []string{}, 0
	for path != "" {
		status, body := ts.get(t, path, viewerToken)
		require.Equal(t, http.StatusOK, status, body)
		pages++
		require.Contains(t, body, `<option value="failed" selected>failed</option>`, "the form shows the filter")
		for _, m := range subject.FindAllStringSubmatch(table(t, body, "outcomes"), -1) {
			seen = append(seen, m[1])
		}
		require.Equal(t, strings.Count(body, `<td class="result">failed</td>`), strings.Count(body, `<tr class="outcome">`))
		path = ""
		if m := link.FindStringSubmatch(body); m != nil {
			path = html.UnescapeString(m[1])
			require.Contains(t, path, "result=failed")
		}
	}
	var want []string
	for i := 0; i < 300; i += 7 {
		want = append(want, fmt.Sprintf("key-%04d", i))
	}
	require.Equal(t, want, seen)
	require.Equal(t, 3, pages)

	// A subject prefix and a provider.
	_, body := ts.get(t, "/runs/paged?subject=key-001&provider=cryptomus", viewerToken)
	require.Equal(t, 10, strings.Count(body, `<tr class="outcome">`))
	require.Equal(t, 10, strings.Count(body, `<td class="provider">cryptomus</td>`))
}

func TestRunPageRefusesABadQuery(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.finishedRun(t, "bad-query", testSubjects(1))
	status, body := ts.get(t, "/runs/bad-query?result=maybe&after=zzz&limit=0", viewerToken)
	require.Equal(t, http.StatusBadRequest, status)
	for _, p := range []string{"?result", "?after", "?limit"} {
		require.Contains(t, body, "<li>"+p+": ")
	}
}

func TestUnknownRunIsNotFound(t *testing.T) {
	ts := newTestServer(t, nil)
	for _, path := range []string{"/runs/nope", "/runs/nope/report", "/runs/nope/events", "/runs/nope/outcomes.csv"} {
		status, body := ts.get(t, path, viewerToken)
		require.Equal(t, http.StatusNotFound, status, path)
		require.Contains(t, body, "There is no run of that name.", path)
	}
}

func TestRunEventsStreamUntilFinished(t *testing.T) {
	ts := newTestServer(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	_, err := ts.engine.Submit(ctx, bulk.Run{Name: "live", Op: restrict.OpRestrict, Reason: "r"}, bulk.Subjects(testSubjects(50)...))
	require.NoError(t, err)

	resp := ts.bearer(t, http.MethodGet, "/runs/live/events", viewerToken, nil, "")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	require.Equal(t, "no", resp.Header.Get("X-Accel-Buffering"))
	var events []string
	var last bulk.Progress
	sc := bufio.NewScanner(resp.Body)
	event := ""
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			event = strings.TrimPrefix(line, "event: ")
			events = append(events, event)
		case strings.HasPrefix(line, "data: "):
			require.NoError(t, json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &last), line)
			require.Equal(t, "live", last.Run)
		}
	}
	require.NoError(t, sc.Err())
	require.GreaterOrEqual(t, len(events), 2)
	require.Equal(t, "finished", events[len(events)-1], "the stream ends with finished")
	require.Equal(t, "progress", events[len(events)-2])
	for _, e := range events[:len(events)-1] {
		require.Equal(t, "progress", e)
	}
	require.Equal(t, int64(100), last.All.OK)
	require.Zero(t, last.All.Pending)
}

func TestRunEventsStopWhenTheClientGoes(t *testing.T) {
	ts := newTestServer(t, nil)
	// A run that cannot finish: its provider is not worked.
	ctx := context.Background()
	require.NoError(t, ts.engine.Stop(ctx))
	_, err := ts.engine.Submit(ctx, bulk.Run{Name: "stuck", Op: restrict.OpRestrict, Reason: "r"}, bulk.Subjects(testSubjects(2)...))
	require.NoError(t, err)

	reqCtx, cancel := context.WithCancel(ctx)
	req, err := http.NewRequestWithContext(reqCtx, http.MethodGet, ts.URL+"/runs/stuck/events", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+viewerToken)
	resp, err := ts.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	require.True(t, sc.Scan())
	require.Equal(t, "event: progress", sc.Text())
	cancel()
	// httptest's Close waits for every handler: it returns only if the
	// stream's handler saw the client go.
	closed := make(chan struct{})
	go func() {
		ts.Server.Close()
		close(closed)
	}()
	require.Eventually(t, func() bool {
		select {
		case <-closed:
			return true
		default:
			return false
		}
	}, 10*time.Second, 10*time.Millisecond)
}

func TestUnfinishedRunPageRefreshesWithoutScript(t *testing.T) {
	ts := newTestServer(t, nil)
	ctx := context.Background()
	require.NoError(t, ts.engine.Stop(ctx))
	_, err := ts.engine.Submit(ctx, bulk.Run{Name: "stuck", Op: restrict.OpRestrict, Reason: "r"}, bulk.Subjects(testSubjects(2)...))
	require.NoError(t, err)
	status, body := ts.get(t, "/runs/stuck", viewerToken)
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, `<noscript><meta http-equiv="refresh" content="5"></noscript>`)
	require.Contains(t, body, `<strong id="run-state">in progress</strong>`)
}

func TestRunEventsEndOnEndStreams(t *testing.T) {
	ts := newTestServer(t, nil)
	ctx := context.Background()
	require.NoError(t, ts.engine.Stop(ctx))
	_, err := ts.engine.Submit(ctx, bulk.Run{Name: "stuck", Op: restrict.OpRestrict, Reason: "r"}, bulk.Subjects(testSubjects(2)...))
	require.NoError(t, err)
	resp := ts.bearer(t, http.MethodGet, "/runs/stuck/events", viewerToken, nil, "")
	sc := bufio.NewScanner(resp.Body)
	require.True(t, sc.Scan())
	require.Equal(t, "event: progress", sc.Text())
	ts.srv.EndStreams()
	ended := make(chan struct{})
	go func() {
		for sc.Scan() {
		}
		close(ended)
	}()
	require.Eventually(t, func() bool {
		select {
		case <-ended:
			return true
		default:
			return false
		}
	}, 10*time.Second, 10*time.Millisecond, "the stream ends when the server shuts down")
}

// The server's read timeout, meant for uploads, does not end a live
// stream: the stream outlives it.
func TestRunEventsOutliveTheReadTimeout(t *testing.T) {
	ts := newTestServer(t, nil)
	ctx := context.Background()
	// No worker takes kpayment's jobs here: the run stays unfinished.
	_, err := ts.engine.Submit(ctx, bulk.Run{Name: "waiting", Op: restrict.OpStatus, Providers: []string{"kpayment"}},
		bulk.Subjects(bulk.Subject{Key: "a", IDs: map[string]string{"kpayment": "2f1c9a2e-8a63-4c65-9d2b-7f0c2f4b9e01"}}))
	require.NoError(t, err)
	srv := httptest.NewUnstartedServer(ts.srv)
	srv.Config.ReadTimeout = 300 * time.Millisecond
	srv.Start()
	defer srv.Close()
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/runs/waiting/events", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+viewerToken)
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	start, events := time.Now(), 0
	for events < 3 && sc.Scan() {
		if sc.Text() == "event: progress" {
			events++
		}
	}
	require.NoError(t, sc.Err())
	require.Equal(t, 3, events, "the stream ended early")
	require.Greater(t, time.Since(start), srv.Config.ReadTimeout)
}
