package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict/internal/testkit"
)

// No credential, in any form a client sends it, reaches the operator's
// screen or logs, even at debug level and through a failing provider.
func TestNoSecretInOutputOrLogs(t *testing.T) {
	t.Parallel()
	o := newOperator(t)
	o.fakes(3)
	var secrets []string
	for k, v := range o.env {
		if strings.HasPrefix(k, "RESTRICT_") && (strings.Contains(k, "KEY") || strings.Contains(k, "SECRET") ||
			strings.Contains(k, "PASSWORD") || strings.HasSuffix(k, "PASS_ID")) {
			secrets = append(secrets, v)
		}
	}
	require.Len(t, secrets, 8)
	basic := base64.StdEncoding.EncodeToString([]byte(o.env["RESTRICT_KPAYMENT_USERNAME"] + ":" + o.env["RESTRICT_KPAYMENT_PASSWORD"]))
	secrets = append(secrets, basic)
	mixed := o.write("mixed.csv", "subject,purse\nghost,00000000-0000-4000-8000-000000000000\n")
	subjects := o.path("subjects.csv")
	var out strings.Builder
	for _, args := range [][]string{
		{"run", "--action", "restrict", "--yes", "--subjects", subjects, "--log-level", "debug"},
		{"run", "--action", "status", "--subjects", subjects, "--log-level", "debug", "--no-progress"},
		{"run", "--action", "restrict", "--yes", "--subjects", mixed, "--log-level", "debug", "--name", "mixed"},
		{"report", "--name", "mixed", "--format", "json"},
		{"report", "--name", "mixed", "--format", "csv"},
		{"runs", "--format", "json"},
	} {
		r := o.main(args...)
		out.WriteString(r.stdout + r.stderr)
	}
	require.Contains(t, out.String(), "level=DEBUG", "debug logs were on")
	for _, secret := range secrets {
		require.NotContains(t, out.String(), secret)
	}
}

// Exit statuses: 1 when an outcome failed (with its class and the
// provider's code in the report), 2 for a bad file, missing credentials or
// a bad command line, with nothing submitted.
func TestExitStatusesAndRefusals(t *testing.T) {
	t.Parallel()
	o := newOperator(t)
	o.fakes(2)
	unknown := o.write("unknown.csv", "subject,purse\nghost,00000000-0000-4000-8000-000000000000\n")
	r := o.main("run", "--action", "restrict", "--yes", "--subjects", unknown, "--no-progress", "--name", "ghost")
	require.Equal(t, 1, r.code, r.stderr)
	require.Contains(t, r.stderr, "1 of 1 outcomes failed")
	rows := o.reportRows("ghost")
	require.Len(t, rows, 1)
	require.Equal(t, "failed", rows[0]["result"])
	e := rows[0]["error"].(map[string]any)
	require.Equal(t, "not_found", e["class"])
	require.Equal(t, "004", e["code"], "Calypso's own code")
	require.NotEmpty(t, e["message"])

	badDB := "file:" + o.path("bad.db")
	bad := o.write("bad.csv", "subject,purse,stripe\nalice,not-a-uuid,x\nalice,,\n")
	r = o.main("run", "--action", "restrict", "--yes", "--subjects", bad, "--db", badDB)
	require.Equal(t, 2, r.code)
	require.Contains(t, r.stderr, "bad.csv:1:3: unknown column \"stripe\"")
	bad2 := o.write("bad2.csv", "subject,purse,walletplatform\nalice,not-a-uuid,acc-1\nalice,,acc-2\n,,acc-3\n")
	r = o.main("run", "--action", "restrict", "--yes", "--subjects", bad2, "--db", badDB)
	require.Equal(t, 2, r.code)
	for _, want := range []string{
		`bad2.csv:2:2: purse would refuse ID "not-a-uuid"`,
		`bad2.csv:3:1: subject "alice" repeats line 2`,
		`bad2.csv:4:1: the subject is empty`,
		"nothing was submitted",
	} {
		require.Contains(t, r.stderr, want)
	}
	_, err := os.Stat(o.path("bad.db"))
	require.ErrorIs(t, err, os.ErrNotExist, "refused before the database was touched")

	// A provider column without credentials: the fakes' exports minus
	// purse's.
	noPurse := newOperator(t)
	for k, v := range o.env {
		if !strings.HasPrefix(k, "RESTRICT_PURSE_") {
			noPurse.env[k] = v
		}
	}
	subjects := o.path("subjects.csv")
	r = noPurse.main("run", "--action", "restrict", "--yes", "--subjects", subjects, "--db", badDB)
	require.Equal(t, 2, r.code)
	require.Contains(t, r.stderr, `subjects.csv:1:5: column "purse": no credentials: set its RESTRICT_PURSE_* variables`)

	for _, args := range [][]string{
		{"run", "--subjects", subjects},
		{"run", "--action", "freeze", "--subjects", subjects},
		{"run", "--action", "restrict", "--subjects", subjects, "--rate", "purse"},
		{"run", "--action", "restrict", "--subjects", subjects, "--frobnicate"},
		{"run", "--action", "status", "--subjects", subjects, "--log-level", "loud"},
		{"report"},
		{"report", "--name", "no-such-run", "--db", badDB},
		{"frobnicate"},
	} {
		r := o.main(args...)
		require.Equal(t, 2, r.code, "%v: %s", args, r.stderr)
	}
	_, err = os.Stat(o.path("restrict.db"))
	require.NoError(t, err, "the first run made the default database")

	help := o.main("run", "--help")
	require.Equal(t, 0, help.code)
	require.Contains(t, help.stdout, "Examples:")
	completion := o.main("completion", "bash")
	require.Equal(t, 0, completion.code)
	require.Contains(t, completion.stdout, "bash completion")
}

// Two workers share a run on Postgres: each job is worked once, by one of
// them, and both take part; asked to stop, each drains and exits 0.
func TestTwoWorkersOnPostgres(t *testing.T) {
	t.Parallel()
	dsn := testkit.WithSearchPath(testkit.PostgresSchema(t, "cli_test_"))
	const subjects = 40
	o := newOperator(t)
	o.fakes(subjects)
	// A password in the DSN's query (trust auth takes any) is never
	// printed, not even in the commands the operator is told to run.
	const password = "pw-never-printed-7f3a"
	o.env["RESTRICT_DB"] = dsn + "&password=" + password
	r := o.main("run", "--action", "restrict", "--yes", "--subjects", o.path("subjects.csv"), "--no-work", "--name", "shared")
	require.Equal(t, 0, r.code, r.stderr)
	require.Contains(t, r.stdout, "restrict worker --db")
	require.Contains(t, r.stdout, "password=xxxxx")
	require.NotContains(t, r.stdout+r.stderr, password)

	type worker struct {
		stop   context.CancelCauseFunc
		stderr *testkit.SyncBuffer
		code   chan int
	}
	var workers []worker
	for range 2 {
		ctx, stop := context.WithCancelCause(context.Background())
		w := worker{stop, &testkit.SyncBuffer{}, make(chan int, 1)}
		go func() {
			w.code <- Main(ctx, []string{"worker", "--rate", "purse=10", "--concurrency", "purse=2"}, o.getenv,
				streams{in: strings.NewReader(""), out: &testkit.SyncBuffer{}, err: w.stderr})
		}()
		workers = append(workers, w)
	}
	require.Eventually(t, func() bool {
		runs := o.runs()
		return runs["shared"].Counts.Pending == 0 && runs["shared"].Counts.Total > 0
	}, 2*time.Minute, 300*time.Millisecond)
	require.EqualValues(t, subjects*5, o.runs()["shared"].Counts.OK)
	total := 0
	for _, w := range workers {
		w.stop(errInterrupted) // SIGTERM, as systemd stops a service
		require.Equal(t, 0, <-w.code, "a worker asked to stop exits 0: %s", w.stderr.String())
		require.NotContains(t, w.stderr.String(), password)
		lines := strings.Split(strings.TrimSpace(w.stderr.String()), "\n")
		var n, ok, failed, unsupported int
		_, err := fmt.Sscanf(lines[len(lines)-1], "worker: stopped after %d jobs (ok %d, failed %d, unsupported %d)", &n, &ok, &failed, &unsupported)
		require.NoError(t, err, w.stderr.String())
		require.Positive(t, n, "each worker took part")
		total += n
	}
	require.Equal(t, subjects*5, total, "each job worked once")
	require.Len(t, o.reportRows("shared"), subjects*5)
}

// runs is "restrict runs --format json", by name.
func (o *operator) runs() map[string]runRecord {
	o.t.Helper()
	r := o.main("runs", "--format", "json")
	require.Equal(o.t, 0, r.code, r.stderr)
	var list []runRecord
	require.NoError(o.t, json.Unmarshal([]byte(r.stdout), &list), r.stdout)
	out := map[string]runRecord{}
	for _, ri := range list {
		out[ri.Name] = ri
	}
	return out
}
