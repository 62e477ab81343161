package console

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// browserStep bounds one step of a browser test (a page load, a click, a
// wait for a condition): long enough for a loaded CI machine, short enough
// that a page that never shows what it should fails the test in time.
const browserStep = 30 * time.Second

// browserTick is how often a wait for a condition in the page looks again.
const browserTick = 50 * time.Millisecond

// noBrowser is what a machine without Chromium is told.
const noBrowser = "install Chromium (Debian: apt-get install -y chromium) or set RESTRICT_CHROMIUM to run the console's browser tests"

// chromiumPath finds the browser: RESTRICT_CHROMIUM, else the first of the
// usual names on PATH. Without one the test skips, unless
// RESTRICT_BROWSER_TESTS=1 (as CI sets) makes that a failure, so that CI
// never passes by skipping.
func chromiumPath(t *testing.T) string {
	t.Helper()
	required := os.Getenv("RESTRICT_BROWSER_TESTS") == "1"
	if p := os.Getenv("RESTRICT_CHROMIUM"); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("RESTRICT_CHROMIUM=%s: %v", p, err)
		}
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if required {
		t.Fatal("RESTRICT_BROWSER_TESTS=1 but no browser was found: " + noBrowser)
	}
	t.Skip(noBrowser)
	return ""
}

// headless is one Chromium driving a test server, for one test: its own
// allocator (a browser process and profile of its own), a folder for
// screenshots and one for downloads.
type headless struct {
	t         *testing.T
	ctx       context.Context
	base      string
	shots     string
	downloads string
	n         int // screenshots taken, for their numbered names

	mu       sync.Mutex
	problems []string // script exceptions and CSP refusals the page reported
	output   bytes.Buffer
}

// newHeadless starts Chromium for ts: headless, without the sandbox
// (which root cannot have), at a fixed window size so that screenshots
// compare across machines.
func newHeadless(t *testing.T, ts *testServer) *headless {
	t.Helper()
	h := &headless{t: t, base: ts.URL, shots: screenshotDir(t), downloads: t.TempDir()}
	opts := append(slices.Clone(chromedp.DefaultExecAllocatorOptions[:]),
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.WindowSize(1280, 900),
		// Without the back-forward cache, going back loads the page
		// again, as chromedp's waits expect (a page restored from the
		// cache fires no load event).
		chromedp.Flag("disable-features", "Translate,BlinkGenPropertyTrees,BackForwardCache"),
		chromedp.CombinedOutput(lockedWriter{&h.mu, &h.output}),
		// Chromium leaves folders in its temporary folder when it is
		// stopped: the test's own, removed after it.
		chromedp.Env("TMPDIR="+t.TempDir()),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	// The browser goes before the server: its event streams must end
	// for the server to close.
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
		if t.Failed() {
			t.Logf("chromium's output:\n%s", h.browserOutput())
		}
	})
	h.ctx = ctx
	// The first run starts the browser and lives as long as it: it gets
	// no timeout of its own.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting %s: %v", chromiumPath(t), err)
	}
	if err := chromedp.Listen(ctx, h.listen); err != nil {
		t.Fatal(err)
	}
	h.do("enabling the browser's log and downloads", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		if _, err := chromedp.Call(ctx, cdplog.Enable, cdp.Empty{}); err != nil {
			return err
		}
		_, err := chromedp.Call(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
			Behavior:      cdpbrowser.SetDownloadBehaviorBehaviorAllowAndName,
			DownloadPath:  h.downloads,
			EventsEnabled: new(true),
		})
		return err
	}))
	t.Logf("screenshots: %s", h.shots)
	return h
}

// lockedWriter is the browser's output, written from the allocator's
// goroutine and read by the test.
type lockedWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// browserOutput is what Chromium printed, without its complaints that a
// container has no D-Bus, which say nothing about the test.
func (h *headless) browserOutput() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var keep []string
	for line := range strings.Lines(h.output.String()) {
		if !strings.Contains(line, "dbus") {
			keep = append(keep, line)
		}
	}
	return strings.Join(keep, "")
}

// listen keeps what the page reports that a test must fail on: an
// uncaught exception in console.js, or a refusal by the
// Content-Security-Policy (an inline script or style on a page).
func (h *headless) listen(ev any) {
	var problem string
	switch e := ev.(type) {
	case *runtime.EventExceptionThrown:
		d := e.ExceptionDetails
		problem = fmt.Sprintf("script exception at %s:%d: %s", d.URL, d.LineNumber+1, d.Text)
		if d.Exception != nil && d.Exception.Description != "" {
			problem += ": " + d.Exception.Description
		}
	case *cdplog.EventEntryAdded:
		if e.Entry.Source == cdplog.EntrySourceSecurity || strings.Contains(e.Entry.Text, "Content Security Policy") {
			problem = fmt.Sprintf("%s: %s", e.Entry.URL, e.Entry.Text)
		}
	}
	if problem != "" {
		h.mu.Lock()
		h.problems = append(h.problems, problem)
		h.mu.Unlock()
	}
}

// noPageProblems fails the test on any exception or CSP refusal the pages
// reported so far.
func (h *headless) noPageProblems() {
	h.t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.problems) > 0 {
		h.t.Errorf("the pages reported:\n%s", strings.Join(h.problems, "\n"))
	}
}

// screenshotDir is RESTRICT_SCREENSHOTS, else a folder under the system's
// temporary one; either way with a folder per test, so that two tests
// never write over each other's 01-login.png.
func screenshotDir(t *testing.T) string {
	t.Helper()
	root := os.Getenv("RESTRICT_SCREENSHOTS")
	if root == "" {
		root = filepath.Join(os.TempDir(), "restrict-console-screenshots")
	}
	dir := filepath.Join(root, strings.ReplaceAll(t.Name(), "/", "_"))
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	return dir
}

// browserRun runs a, failing the test after browserStep.
func browserRun[T any](h *headless, what string, a chromedp.Action[T]) T {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(h.ctx, browserStep)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		h.fail("%s: %v", what, err)
	}
	return v
}

// do runs steps, failing the test after browserStep.
func (h *headless) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	h.t.Helper()
	browserRun(h, what, chromedp.Steps(steps...))
}

// fail saves what the browser shows as failure.png, then fails the test.
func (h *headless) fail(format string, args ...any) {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(h.ctx, 5*time.Second)
	defer cancel()
	if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		_ = os.WriteFile(filepath.Join(h.shots, "failure.png"), png, 0o600)
	}
	if url, err := chromedp.Run(ctx, chromedp.Location()); err == nil {
		format += " (at %s)"
		args = append(args, url)
	}
	h.t.Fatalf(format, args...)
}

// open loads path and returns its document's response.
func (h *headless) open(path string) *network.Response {
	h.t.Helper()
	return browserRun(h, "opening "+path, chromedp.NavigateResponse(h.base+path))
}

// follow clicks sel (a link or a form's button) and returns the response
// of the page it leads to, once that page has loaded.
func (h *headless) follow(sel string) *network.Response {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(h.ctx, browserStep)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		h.fail("following %s: %v", sel, err)
	}
	return resp
}

// visible waits until each of sels is shown.
func (h *headless) visible(sels ...string) {
	h.t.Helper()
	for _, sel := range sels {
		h.do("waiting for "+sel, chromedp.WaitVisible(chromedp.CSS(sel)))
	}
}

// js is s as a JavaScript string literal.
func js(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// eval evaluates expr in the page.
func eval[T any](h *headless, expr string) T {
	h.t.Helper()
	return browserRun(h, "evaluating "+expr, chromedp.Evaluate[T](expr))
}

// texts is the text of every element sel matches, trimmed, in document
// order; none when it matches nothing.
func (h *headless) texts(sel string) []string {
	h.t.Helper()
	return eval[[]string](h, fmt.Sprintf(`Array.from(document.querySelectorAll(%s), e => e.textContent.trim())`, js(sel)))
}

// text is the trimmed text of the first element sel matches, failing the
// test when there is none.
func (h *headless) text(sel string) string {
	h.t.Helper()
	all := h.texts(sel)
	if len(all) == 0 {
		h.fail("no element matches %s", sel)
	}
	return all[0]
}

// present says whether sel matches an element of the page.
func (h *headless) present(sel string) bool {
	h.t.Helper()
	return eval[bool](h, fmt.Sprintf(`document.querySelector(%s) !== null`, js(sel)))
}

// until waits for the JavaScript expression cond to be true, looking
// again every browserTick; an evaluation that fails (the page is being
// replaced) counts as false.
func (h *headless) until(what, cond string) {
	h.t.Helper()
	deadline := time.Now().Add(browserStep)
	var last error
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(h.ctx, browserStep)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](cond))
		cancel()
		if err == nil && ok {
			return
		}
		last = err
		time.Sleep(browserTick)
	}
	h.fail("waiting %s for %s (%s): last error %v", browserStep, what, cond, last)
}

// mark tags the document now shown, so that marked tells whether it is
// still the same document: a page that updates itself, not one reloaded.
func (h *headless) mark() {
	h.t.Helper()
	eval[bool](h, `(window.restrictTestMark = true)`)
}

// marked says whether the document shown is the one mark tagged.
func (h *headless) marked() bool {
	h.t.Helper()
	return eval[bool](h, `window.restrictTestMark === true`)
}

// shot saves the whole page as NN-name.png.
func (h *headless) shot(name string) {
	h.t.Helper()
	h.n++
	h.save(fmt.Sprintf("%02d-%s.png", h.n, name), browserRun(h, "taking a screenshot", chromedp.FullScreenshot(100)))
}

// shotWindow saves what the window shows (1280x900) as file: the top of
// a long page, the size a README can show.
func (h *headless) shotWindow(file string) {
	h.t.Helper()
	h.save(file, browserRun(h, "taking a screenshot", chromedp.CaptureScreenshot()))
}

func (h *headless) save(file string, png []byte) {
	h.t.Helper()
	if err := os.WriteFile(filepath.Join(h.shots, file), png, 0o600); err != nil {
		h.t.Fatal(err)
	}
}

// media emulates a CSS media type: "print", or "" for the screen again.
func (h *headless) media(m string) {
	h.t.Helper()
	h.do("emulating media "+m, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: m})
		return err
	}))
}

// download clicks sel, a link to a download, and returns the file the
// browser saved.
func (h *headless) download(sel string) []byte {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(h.ctx, browserStep)
	defer cancel()
	// Subscribed before the click, so that no event is missed.
	progress := chromedp.Events(ctx, cdpbrowser.DownloadProgress)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
		h.fail("clicking %s: %v", sel, err)
	}
	for ev, err := range progress {
		if err != nil {
			h.fail("downloading through %s: %v", sel, err)
		}
		switch ev.State {
		case cdpbrowser.DownloadProgressStateCanceled:
			h.fail("the download through %s was canceled", sel)
		case cdpbrowser.DownloadProgressStateCompleted:
			// AllowAndName names the file by the download's GUID.
			b, err := os.ReadFile(filepath.Join(h.downloads, ev.GUID))
			if err != nil {
				h.t.Fatal(err)
			}
			return b
		}
	}
	h.fail("no download through %s", sel)
	return nil
}

// login signs in with token through the login form and waits for the
// runs page.
func (h *headless) login(token string) {
	h.t.Helper()
	h.open("/login")
	h.visible("#login-form", "#token", "#login-submit")
	h.do("typing the token", chromedp.SendKeys(chromedp.CSS("#token"), token))
	h.follow("#login-submit")
	h.visible("#who", "#runs")
}
