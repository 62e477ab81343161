package console

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/bulk"
	"github.com/stretchr/testify/require"
)

// formulaKey is a subject key a spreadsheet would run as a formula: keys
// allow it, so the console must escape it wherever it leaves as CSV.
const formulaKey = `=HYPERLINK("x")`

// sessionSubjects is the CSV the session uploads: 30 subjects, each with
// an order ID at Cryptomus and a customer UUID at Calypso (purse), the
// hostile key among them.
func sessionSubjects() (file []byte, purseID map[string]string) {
	var b strings.Builder
	b.WriteString("subject,cryptomus,purse\n")
	purseID = map[string]string{}
	w := csv.NewWriter(&b)
	for i := 1; i <= 30; i++ {
		key := fmt.Sprintf("cust-%03d", i)
		if i == 7 {
			key = formulaKey
		}
		id := fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
		purseID[key] = id
		_ = w.Write([]string{key, fmt.Sprintf("order-%03d", i), id})
	}
	w.Flush()
	return []byte(b.String()), purseID
}

// TestBrowserSession is an operator's session in a real browser, end to
// end: log in, upload a subjects file, check it, see the plan, confirm,
// watch the run's bars fill live, see a customer credited after its
// restriction flagged, filter the failures, open a subject, download the
// outcomes, open the printable report, change a limit, log out; then a
// viewer, who can neither start a run nor change a limit. Every page is
// saved as a screenshot.
func TestBrowserSession(t *testing.T) {
	chromiumPath(t) // skips before a server is started for nothing
	ts := newTestServer(t, nil)
	h := newHeadless(t, ts)

	file, purseID := sessionSubjects()
	path := filepath.Join(t.TempDir(), "subjects.csv")
	require.NoError(t, os.WriteFile(path, file, 0o600))

	// Three customers Calypso refuses, the hostile key among them, so
	// that the failures page and the download both carry it.
	failed := []string{"cust-003", formulaKey, "cust-021"}
	for _, key := range failed {
		ts.fakes["purse"].FailWith(purseID[key], &restrict.APIError{
			Provider: "purse", Operation: "BlockCustomer", StatusCode: http.StatusForbidden,
			Code: "CUSTOMER_LOCKED", Message: "the customer is under review", Class: restrict.ErrForbidden,
		})
	}
	// One customer is held back: Calypso answers it "slow down" until
	// the test lets it through, so the run page is certain to be seen
	// unfinished and must then finish by itself.
	held := purseID["cust-015"]
	ts.fakes["purse"].FailWith(held, &restrict.APIError{
		Provider: "purse", Operation: "BlockCustomer", StatusCode: http.StatusTooManyRequests,
		Message: "slow down", RetryAfter: time.Second, Class: restrict.ErrRateLimited,
	})

	h.open("/login")
	h.visible("#login-form")
	h.shot("login")
	h.login(operatorToken)
	require.Contains(t, h.text("#who"), "otto")
	require.True(t, h.present("#new-run-link"), "an operator sees the link to a new run")
	h.shot("runs")

	h.follow("#new-run-link")
	h.visible("#new-run", "#subjects-file", "#subjects-text", "#action", "#reason", "#name", "#check")
	h.do("filling the new run's form",
		chromedp.SetUploadFiles(chromedp.CSS("#subjects-file"), []string{path}),
		chromedp.SetValue(chromedp.CSS("#action"), "restrict"),
		chromedp.SendKeys(chromedp.CSS("#reason"), "sanctions list of December"),
		chromedp.SendKeys(chromedp.CSS("#name"), "browser-session"),
	)
	h.shot("new-run")

	resp := h.follow("#check")
	require.Equal(t, int64(http.StatusOK), resp.Status, "the check's answer")
	h.visible("#plan", "#confirm-form", "#confirm")
	require.False(t, h.present("#problems li"), "a good file has no problems: %v", h.texts("#problems li"))
	plan := h.text("#plan")
	require.Contains(t, plan, "cryptomus")
	require.Contains(t, plan, "purse")
	require.Contains(t, plan, "30", "30 jobs at each provider")
	runs, err := ts.engine.Runs(context.Background())
	require.NoError(t, err)
	require.Empty(t, runs, "checking a file submits nothing")
	h.shot("plan")

	h.follow("#confirm")
	require.True(t, strings.HasSuffix(browserRun(h, "reading the location", chromedp.Location()), "/runs/browser-session"),
		"confirming leads to the run's page")
	h.visible("#run-state", "#bar-all", "#outcomes")
	require.Equal(t, "in progress", h.text("#run-state"), "one job is held back")
	require.Len(t, h.texts("progress.bar[data-provider]"), 2, "a bar per provider")
	require.True(t, eval[bool](h, `(b => b.value < b.max)(document.querySelector('progress.bar[data-provider="purse"]'))`),
		"purse's bar is not full while a job is held")
	h.shot("run-in-progress")

	// From here the page must finish by itself, from its event stream:
	// the mark shows it was never reloaded.
	h.mark()
	ts.fakes["purse"].FailWith(held, nil)
	h.until("every bar full and the run finished", `(() => {
		const bars = [...document.querySelectorAll('progress.bar, #bar-all')];
		return bars.length > 0 && bars.every(b => b.max > 0 && b.value === b.max) &&
			document.querySelector('#run-state').textContent.trim() === 'finished';
	})()`)
	require.True(t, h.marked(), "the run page updated itself, without a reload")
	for _, p := range testProviders {
		require.Equal(t, "100.0%", h.text(fmt.Sprintf(`.pct[data-provider=%q]`, p)), p)
	}
	require.True(t, h.present(".rate"), "the page shows a rate")
	require.True(t, h.present(".eta"), "the page shows an ETA")
	// Calypso credits a restricted customer: its webhook, as the
	// webhook route would store it once verified.
	funded := "cust-010"
	stored, err := ts.engine.RecordWebhookEvent(context.Background(), bulk.WebhookEvent{
		ID: "evt-browser-1", Provider: "purse", Type: "CUSTOMER_PURSE_FUNDS_RECEIVED_FOR_PURSE",
		Targets: []string{purseID[funded]}, Amount: "250.00", Currency: "USDT", Status: "confirmed", Funds: true,
	})
	require.NoError(t, err)
	require.True(t, stored)
	// A reload shows the same finished run, now from the database, with
	// the funded customer flagged.
	h.open("/runs/browser-session")
	h.visible("#outcomes")
	require.Equal(t, "finished", h.text("#run-state"))
	flagged := h.texts("tr.outcome:has(.funds-flag) .subject a.subject-link")
	require.NotEmpty(t, flagged, "the funded customer is flagged")
	require.Equal(t, []string{funded}, slices.Compact(flagged), "only the funded customer is flagged")
	h.shot("run-finished")
	// The README's picture of the run page: its top, the bars full.
	h.shotWindow("run-page.png")

	h.visible("#filters", "#f-provider", "#f-result", "#f-state", "#f-class", "#f-subject", "#f-apply")
	h.do("choosing the failures", chromedp.SetValue(chromedp.CSS("#f-result"), "failed"))
	h.follow("#f-apply")
	h.visible("#outcomes")
	filtered := eval[string](h, `location.pathname + location.search`)
	require.Contains(t, filtered, "result=failed")
	results := h.texts("tr.outcome .result")
	require.Len(t, results, len(failed), "only the failed outcomes: %v", h.texts("tr.outcome"))
	for _, r := range results {
		require.Equal(t, "failed", r)
	}
	require.ElementsMatch(t, failed, h.texts("tr.outcome .subject"))
	for _, p := range h.texts("tr.outcome .provider") {
		require.Equal(t, "purse", p)
	}
	require.Empty(t, h.texts("tr.outcome .funds-flag"), "no failed customer received funds")
	h.shot("run-failed")

	// The hostile key's own page: its link must reach it intact.
	h.do("opening the hostile subject",
		chromedp.Click(chromedp.JSPath(fmt.Sprintf(`[...document.querySelectorAll('tr.outcome a.subject-link')].find(a => a.textContent.trim() === %s)`, js(formulaKey)))),
	)
	h.visible("h1#subject", "#subject-outcomes", "#subject-events")
	h.until("the subject's page", `location.pathname.startsWith('/subjects/')`)
	require.Contains(t, h.text("h1#subject"), formulaKey)
	outcomes := h.text("#subject-outcomes")
	require.Contains(t, outcomes, "browser-session")
	require.Contains(t, outcomes, "purse")
	require.Contains(t, outcomes, "cryptomus")
	h.shot("subject")

	h.open("/subjects/" + funded)
	h.visible("h1#subject", "#subject-events")
	require.True(t, h.present(".funds-flag"), "the funded customer's page flags it")
	require.Contains(t, h.text("#subject-events"), "250.00")
	h.shot("subject-funded")
	h.do("going back", chromedp.NavigateBack())
	h.do("going back", chromedp.NavigateBack())
	require.Equal(t, filtered, eval[string](h, `location.pathname + location.search`), "back on the failures")
	h.visible("#outcomes", "#download-csv", "#download-json", "#report-link")
	csvFile := h.download("#download-csv")
	records, err := csv.NewReader(bytes.NewReader(csvFile)).ReadAll()
	require.NoError(t, err, "the download is CSV")
	var cells []string
	for _, rec := range records {
		cells = append(cells, rec...)
	}
	require.Contains(t, cells, "'"+formulaKey, "the hostile key is escaped with a leading '")
	for _, c := range cells {
		require.False(t, strings.HasPrefix(c, "=") || strings.HasPrefix(c, "+") || strings.HasPrefix(c, "@"),
			"a cell a spreadsheet would run: %q", c)
	}

	jsonFile := h.download("#download-json")
	require.True(t, json.Valid(jsonFile), "the JSON download is JSON: %.200s", jsonFile)
	require.Contains(t, string(jsonFile), "CUSTOMER_LOCKED", "the JSON download has the failures")

	h.follow("#report-link")
	h.visible("#audit-report", "#summary", "#failures", "#limits-in-force", "#submitted-by", "#funds-after-restriction")
	summary := h.text("#summary")
	require.Contains(t, summary, "cryptomus")
	require.Contains(t, summary, "purse")
	failures := h.text("#failures")
	for _, key := range failed {
		require.Contains(t, failures, key)
	}
	require.Contains(t, failures, "forbidden", "each failure has its class")
	require.Contains(t, failures, "CUSTOMER_LOCKED", "each failure has its code")
	require.Contains(t, failures, "the customer is under review", "each failure has its message")
	require.Contains(t, h.text("#submitted-by"), "otto")
	require.Contains(t, h.text("#funds-after-restriction"), funded)
	h.shot("report")
	h.media("print")
	require.True(t, eval[bool](h, `matchMedia('print').matches`))
	h.shot("report-print")
	h.media("")

	// An operator changes Calypso's shared limit.
	h.open("/limits")
	h.visible("#limits", "#limits-form", "#limits-save", "input[name=rate_purse]", "input[name=concurrency_purse]")
	h.do("setting purse's rate", chromedp.SetValue(chromedp.CSS("input[name=rate_purse]"), "5"))
	h.follow("#limits-save")
	h.visible("#limits")
	require.Contains(t, h.text(`tr.limit[data-provider="purse"]`), "otto", "the page says who set it")
	limits, err := ts.engine.Limits(context.Background())
	require.NoError(t, err)
	i := slices.IndexFunc(limits, func(l bulk.Limit) bool { return l.Provider == "purse" })
	require.GreaterOrEqual(t, i, 0, "purse has a limit in the database: %+v", limits)
	require.Equal(t, 5.0, limits[i].Rate)
	require.Equal(t, "otto", limits[i].UpdatedBy)
	h.shot("limits")

	h.follow("#logout")
	h.visible("#login-form")
	require.False(t, h.present("#who"), "logged out")
	h.shot("logged-out")
	// The session is gone: its pages send the browser to the login form.
	h.open("/runs")
	h.visible("#login-form")

	h.login(viewerToken)
	require.Contains(t, h.text("#who"), "vera")
	require.False(t, h.present("#new-run-link"), "a viewer has no link to a new run")
	require.Contains(t, h.texts("tr.run a.run-link"), "browser-session")
	h.shot("viewer-runs")
	h.open("/limits")
	h.visible("#limits")
	require.False(t, h.present("#limits-save"), "a viewer cannot change limits")
	require.False(t, h.present("input[name=rate_purse]"), "a viewer cannot change limits")
	h.shot("viewer-limits")
	resp = h.open("/runs/new")
	require.Equal(t, int64(http.StatusForbidden), resp.Status, "a viewer cannot open the new run page")
	h.shot("viewer-new-run")

	h.noPageProblems()
}

// TestBrowserFileProblems pastes a subjects file with errors: the check
// lists each with its line and column, offers nothing to confirm, and
// submits nothing.
func TestBrowserFileProblems(t *testing.T) {
	chromiumPath(t) // skips before a server is started for nothing
	ts := newTestServer(t, nil)
	h := newHeadless(t, ts)

	text := strings.Join([]string{
		"subject,cryptomus,purse",
		"good,order-1,00000000-0000-4000-8000-000000000001",
		"bad-uuid,order-2,not-a-uuid",
		" spaced,order-3,00000000-0000-4000-8000-000000000003",
		"bad-order,order 4!,00000000-0000-4000-8000-000000000004",
	}, "\n") + "\n"

	h.login(operatorToken)
	h.open("/runs/new")
	h.visible("#new-run", "#subjects-text")
	h.do("pasting the subjects",
		chromedp.SetValue(chromedp.CSS("#subjects-text"), text),
		chromedp.SetValue(chromedp.CSS("#action"), "restrict"),
		chromedp.SendKeys(chromedp.CSS("#reason"), "a file with errors"),
	)
	h.follow("#check")
	h.visible("#problems li")
	problems := h.texts("#problems li")
	h.shot("problems")
	at := regexp.MustCompile(`^(\d+:\d+): \S`)
	var places []string
	for _, p := range problems {
		m := at.FindStringSubmatch(p)
		require.NotNil(t, m, "a problem says line:col: message: %q", p)
		places = append(places, m[1])
	}
	for _, want := range []string{"3:3", "4:1", "5:2"} {
		require.True(t, slices.Contains(places, want), "a problem at %s in %q", want, problems)
	}
	require.False(t, h.present("#confirm"), "a file with errors cannot be confirmed")

	runs, err := ts.engine.Runs(context.Background())
	require.NoError(t, err)
	require.Empty(t, runs, "nothing was submitted")
	for name, f := range ts.fakes {
		require.Empty(t, f.Calls(), "nothing was sent to %s", name)
	}
	h.noPageProblems()
}
