package main_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict/internal/testkit"
)

// These tests build the command and run the binary where only a process
// will do: a SIGKILL halfway and the resume after it, Ctrl-C once and
// twice, and the progress display in a pseudo-terminal. Everything else
// runs in-process through Main (inprocess_test.go).

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
)

// restrictBinary builds cmd/restrict once for the whole test binary.
func restrictBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "restrict-e2e-")
		if err != nil {
			buildErr = err
			return
		}
		binary = filepath.Join(dir, "restrict")
		out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	require.NoError(t, buildErr)
	return binary
}

// session is an operator's shell: a working directory and the variables
// the fakes exported.
type session struct {
	t   *testing.T
	bin string
	dir string
	env []string
}

func newSession(t *testing.T) *session {
	return &session{t: t, bin: restrictBinary(t), dir: t.TempDir(),
		env: []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "TMPDIR=" + os.TempDir()}}
}

// result is what a command left behind.
type result struct {
	code           int
	stdout, stderr string
}

func (s *session) command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, s.bin, args...)
	cmd.Dir = s.dir
	cmd.Env = s.env
	return cmd
}

// run runs the command to its end.
func (s *session) run(args ...string) result {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := s.command(ctx, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		s.t.Fatalf("restrict %s: %v", strings.Join(args, " "), err)
	}
	return result{code, stdout.String(), stderr.String()}
}

// fakes starts "restrict fakes --seed n --subjects subjects.csv" in the
// background, as an operator would, and takes its exports into the
// session's environment.
func (s *session) fakes(n int) {
	s.t.Helper()
	cmd := s.command(context.Background(), "fakes", "--seed", fmt.Sprint(n), "--subjects", "subjects.csv")
	stdout, err := cmd.StdoutPipe()
	require.NoError(s.t, err)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	require.NoError(s.t, cmd.Start())
	s.t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	})
	lines := bufio.NewScanner(stdout)
	exports := 0
	for exports < 18 && lines.Scan() {
		line := lines.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		kv, ok := strings.CutPrefix(line, "export ")
		require.True(s.t, ok, "an export line: %q", line)
		k, v, _ := strings.Cut(kv, "=")
		s.env = append(s.env, k+"="+strings.Trim(v, "'"))
		exports++
	}
	if exports != 18 {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		s.t.Fatalf("%d exports of the five fakes, want 18; stderr: %s", exports, stderr.String())
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
}

// report runs "restrict report --format json" and decodes it.
func (s *session) report(name string, extra ...string) []map[string]any {
	s.t.Helper()
	r := s.run(append([]string{"report", "--name", name, "--format", "json"}, extra...)...)
	require.Equal(s.t, 0, r.code, r.stderr)
	var rows []map[string]any
	require.NoError(s.t, json.Unmarshal([]byte(r.stdout), &rows), r.stdout)
	return rows
}

// runInfo is a line of "restrict runs --format json".
type runInfo struct {
	Name   string `json:"name"`
	Jobs   int64  `json:"jobs"`
	Counts struct {
		Total, Pending, OK, Failed, Unsupported int64
	} `json:"counts"`
}

func (s *session) runs(extra ...string) map[string]runInfo {
	s.t.Helper()
	runs, r := s.tryRuns(extra...)
	require.NotNil(s.t, runs, r.stderr)
	return runs
}

// tryRuns is runs, or nil while the database has not been created yet
// ("restrict runs" creates nothing).
func (s *session) tryRuns(extra ...string) (map[string]runInfo, result) {
	s.t.Helper()
	r := s.run(append([]string{"runs", "--format", "json"}, extra...)...)
	if r.code == 2 && strings.Contains(r.stderr, "no restrict database") {
		return nil, r
	}
	require.Equal(s.t, 0, r.code, r.stderr)
	var list []runInfo
	require.NoError(s.t, json.Unmarshal([]byte(r.stdout), &list), r.stdout)
	out := map[string]runInfo{}
	for _, ri := range list {
		out[ri.Name] = ri
	}
	return out, r
}

var providers = []string{"cryptomus", "customerv2", "kpayment", "purse", "walletplatform"}

// byProvider groups report rows by provider.
func byProvider(rows []map[string]any) map[string][]map[string]any {
	out := map[string][]map[string]any{}
	for _, r := range rows {
		out[r["provider"].(string)] = append(out[r["provider"].(string)], r)
	}
	return out
}

// The whole session of an operator on the embedded default: fakes, a run
// killed with SIGKILL and run again to its end, the report, a status run
// that proves the restrictions hold, a lift, and the status after it.
func TestOperatorSessionOnSQLite(t *testing.T) {
	t.Parallel()
	const subjects = 30
	s := newSession(t)
	s.fakes(subjects)

	// purse is held to 5 calls a second, so the run takes several
	// seconds: time to kill it halfway.
	slow := []string{"--action", "restrict", "--yes", "--subjects", "subjects.csv", "--rate", "purse=5", "--no-progress",
		"--job-timeout", "2s", "--rescue-after", "3s", "--name", "sanctions"}
	killed := s.command(context.Background(), append([]string{"run"}, slow...)...)
	require.NoError(t, killed.Start())
	deadline := time.Now().Add(time.Minute)
	for {
		runs, _ := s.tryRuns()
		ri, ok := runs["sanctions"]
		if ok && ri.Counts.OK > 0 {
			break
		}
		require.True(t, time.Now().Before(deadline), "the run made no progress")
		time.Sleep(200 * time.Millisecond)
	}
	require.NoError(t, killed.Process.Kill())
	_ = killed.Wait()
	before := s.runs()["sanctions"]
	require.Greater(t, before.Counts.Pending, int64(0), "killed halfway: %+v", before)
	require.EqualValues(t, subjects*len(providers), before.Jobs)

	again := s.run(append([]string{"run"}, slow...)...)
	require.Equal(t, 0, again.code, "the resumed run completes: %s %s", again.stdout, again.stderr)
	require.Contains(t, again.stdout, "full report: restrict report --name sanctions")
	require.Contains(t, again.stderr, "0 jobs added", "nothing submitted twice")
	require.Contains(t, again.stderr, "were taken by a process that is gone; they are taken again at about ",
		"the operator is told why some jobs wait")

	rows := s.report("sanctions")
	require.Len(t, rows, subjects*len(providers), "one final outcome per subject and provider")
	seen := map[string]bool{}
	for _, r := range rows {
		key := r["subject"].(string) + "/" + r["provider"].(string)
		require.False(t, seen[key], "one row for %s", key)
		seen[key] = true
		for _, k := range []string{"run", "subject", "provider", "target", "action", "state", "result", "http_attempts", "job_attempts", "started_at", "finished_at"} {
			require.Contains(t, r, k)
		}
		require.Equal(t, "ok", r["result"], "%v", r)
		require.Equal(t, "restricted", r["state"], "%v", r)
		require.Equal(t, "restrict", r["action"])
		require.Nil(t, r["error"])
		require.NotEmpty(t, r["finished_at"])
		require.GreaterOrEqual(t, r["http_attempts"].(float64), 1.0)
		require.NotContains(t, r, "error", "an ok row has no error")
	}

	// The proof: read every restriction back where the provider can tell.
	status := s.run("run", "--action", "status", "--subjects", "subjects.csv", "--no-progress")
	require.Equal(t, 0, status.code, "unsupported is not a failure: %s", status.stderr)
	name := nameFrom(t, status.stdout)
	targets := map[string]string{}
	for _, r := range rows {
		targets[r["subject"].(string)+"/"+r["provider"].(string)] = r["target"].(string)
	}
	for prov, list := range byProvider(s.report(name)) {
		require.Len(t, list, subjects, prov)
		for _, r := range list {
			require.Equal(t, targets[r["subject"].(string)+"/"+prov], r["target"], "the same target as restricted")
			switch prov {
			case "cryptomus", "kpayment":
				require.Equal(t, "unsupported", r["result"], "%s has no read", prov)
				require.Equal(t, "unsupported", r["error"].(map[string]any)["class"])
			default:
				require.Equal(t, "ok", r["result"], "%v", r)
				require.Equal(t, "restricted", r["state"], "%s reads the restriction back", prov)
			}
		}
	}

	lift := s.run("run", "--action", "lift", "--yes", "--subjects", "subjects.csv", "--no-progress")
	require.Equal(t, 0, lift.code, lift.stderr)
	for prov, list := range byProvider(s.report(nameFrom(t, lift.stdout))) {
		for _, r := range list {
			if prov == "purse" || prov == "walletplatform" {
				require.Equal(t, "ok", r["result"])
				require.Equal(t, "active", r["state"])
			} else {
				require.Equal(t, "unsupported", r["result"], "%s has no lift", prov)
			}
		}
	}
	after := s.run("run", "--action", "status", "--subjects", "subjects.csv", "--name", "after-lift", "--no-progress")
	require.Equal(t, 0, after.code, after.stderr)
	for prov, list := range byProvider(s.report("after-lift")) {
		for _, r := range list {
			switch prov {
			case "purse", "walletplatform":
				require.Equal(t, "active", r["state"], "lifted")
			case "customerv2":
				require.Equal(t, "restricted", r["state"], "a KunaCore suspension has no lift")
			}
		}
	}
	require.NotContains(t, again.stdout+again.stderr+status.stdout+status.stderr, s.secret("RESTRICT_PURSE_SECRET"))
}

// secret is the value of a variable the fakes exported.
func (s *session) secret(key string) string {
	for _, kv := range s.env {
		if v, ok := strings.CutPrefix(kv, key+"="); ok {
			return v
		}
	}
	s.t.Fatalf("%s not exported", key)
	return ""
}

// nameFrom reads the run's name from the summary's report command.
func nameFrom(t *testing.T, stdout string) string {
	t.Helper()
	_, rest, ok := strings.Cut(stdout, "restrict report --name ")
	require.True(t, ok, stdout)
	name, _, _ := strings.Cut(rest, " ")
	return name
}

// The first Ctrl-C stops taking jobs, lets calls finish and exits 130; the
// same command resumes. A second Ctrl-C exits at once.
func TestInterruptAndResume(t *testing.T) {
	t.Parallel()
	s := newSession(t)
	s.fakes(20)
	args := func(name string) []string {
		return []string{"run", "--action", "restrict", "--yes", "--subjects", "subjects.csv", "--rate", "purse=4", "--no-progress", "--name", name}
	}
	cmd := s.command(context.Background(), args("ctrl-c")...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Start())
	waitForProgress(t, s, "ctrl-c")
	require.NoError(t, cmd.Process.Signal(os.Interrupt))
	err := cmd.Wait()
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee)
	require.Equal(t, 130, ee.ExitCode(), "stderr: %s", stderr.String())
	require.Contains(t, stderr.String(), "run the same command to resume")
	require.Contains(t, stdout.String(), "PROVIDER")
	require.Greater(t, s.runs()["ctrl-c"].Counts.Pending, int64(0))

	// The calls in flight were let finish: nothing is left taken, and the
	// same command resumes at once.
	r := s.run(args("ctrl-c")...)
	require.Equal(t, 0, r.code, r.stderr)
	require.Zero(t, s.runs()["ctrl-c"].Counts.Pending)

	// Twice: out at once, long before the calls waiting for purse's
	// limiter would be done. (The jobs it leaves taken are rescued as a
	// killed process's are: TestOperatorSessionOnSQLite resumes those.)
	cmd = s.command(context.Background(), args("twice")...)
	require.NoError(t, cmd.Start())
	waitForProgress(t, s, "twice")
	require.NoError(t, cmd.Process.Signal(os.Interrupt))
	time.Sleep(50 * time.Millisecond)
	start := time.Now()
	require.NoError(t, cmd.Process.Signal(os.Interrupt))
	err = cmd.Wait()
	require.ErrorAs(t, err, &ee)
	require.Equal(t, 130, ee.ExitCode())
	require.Less(t, time.Since(start), 5*time.Second)
	require.Greater(t, s.runs()["twice"].Counts.Pending, int64(0), "it did not wait for the run")
}

func waitForProgress(t *testing.T, s *session, run string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		runs, _ := s.tryRuns()
		if ri, ok := runs[run]; ok && ri.Counts.OK > 0 {
			return
		}
		require.True(t, time.Now().Before(deadline), "run %s made no progress", run)
		time.Sleep(200 * time.Millisecond)
	}
}

// The progress display in a terminal: bars per provider redrawn in place,
// ending with every provider done, and the summary under them. The test
// runs the command in a pseudo-terminal and replays what it wrote on a
// screen, as the terminal would show it.
func TestProgressDisplayInATerminal(t *testing.T) {
	t.Parallel()
	s := newSession(t)
	s.fakes(20)
	cmd := s.command(context.Background(), "run", "--action", "restrict", "--subjects", "subjects.csv", "--rate", "purse=10", "--name", "tty")
	ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 100})
	require.NoError(t, err)
	// At a terminal, a restrict run asks first; the person says yes.
	var out bytes.Buffer
	prompt := make([]byte, 0, 256)
	buf := make([]byte, 256)
	for !bytes.Contains(prompt, []byte("[y/N] ")) {
		n, err := ptmx.Read(buf)
		require.NoError(t, err, "the prompt: %q", prompt)
		prompt = append(prompt, buf[:n]...)
	}
	require.Contains(t, string(prompt), "Restrict 20 subjects at 5 providers? [y/N] ")
	_, err = ptmx.Write([]byte("y\n"))
	require.NoError(t, err)
	out.Write(prompt)
	_, _ = io.Copy(&out, ptmx) // ends with EIO once the command exits
	require.NoError(t, cmd.Wait())
	_ = ptmx.Close()
	raw := out.String()
	require.Contains(t, raw, "\x1b[6A", "the bars were redrawn in place")

	screen := testkit.Screen(raw)
	final := strings.Join(screen, "\n")
	for _, p := range append(providers, "all") {
		want := " 20/20 "
		if p == "all" {
			want = " 100/100 "
		}
		line := lineStarting(screen, p+" ")
		require.NotEmpty(t, line, "a bar for %s:\n%s", p, final)
		require.Contains(t, line, "["+strings.Repeat("#", 10), p)
		require.Contains(t, line, want, p)
		require.True(t, strings.HasSuffix(strings.TrimSpace(line), "done"), "%q", line)
		require.LessOrEqual(t, len([]rune(line)), 100, "fits the terminal")
	}
	require.Contains(t, final, "PROVIDER        OK   FAILED  UNSUPPORTED  PENDING  TOTAL")
	require.Contains(t, final, "full report: restrict report --name tty")
	require.Equal(t, 1, strings.Count(final, "walletplatform  ["), "one bar per provider on the final screen, not one per redraw")
}

func lineStarting(screen []string, prefix string) string {
	for _, l := range screen {
		if strings.HasPrefix(l, prefix) && strings.Contains(l, "[") {
			return l
		}
	}
	return ""
}
