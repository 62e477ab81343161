package main

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict/internal/testkit"
)

// postgresThroughProxy is a database of the test's own on Postgres, reached
// through a proxy the test can cut.
func postgresThroughProxy(t *testing.T) (dsn string, proxy *testkit.CutProxy) {
	t.Helper()
	base, schema := testkit.PostgresSchema(t, "cli_outage_")
	u, err := url.Parse(testkit.WithSearchPath(base, schema))
	require.NoError(t, err)
	proxy = testkit.NewCutProxy(t, u.Host)
	u.Host = proxy.Addr()
	return u.String(), proxy
}

// A database outage in the middle of a run is waited out: the operator is
// told since when, and the run completes, exit 0.
func TestRunRidesOutADatabaseOutage(t *testing.T) {
	t.Parallel()
	dsn, proxy := postgresThroughProxy(t)
	o := newOperator(t)
	o.fakes(12)
	o.env["RESTRICT_DB"] = dsn
	o.watch = &testkit.SyncBuffer{}
	done := make(chan outcome, 1)
	go func() {
		done <- o.main("run", "--action", "status", "--subjects", o.path("subjects.csv"), "--no-progress", "--name", "outage", "--rate", "purse=3")
	}()
	require.Eventually(t, func() bool {
		r := o.main("report", "--name", "outage", "--provider", "purse", "--result", "ok", "--format", "csv")
		return r.code == 0 && len(r.stdout) > 0 && countLines(r.stdout) >= 3
	}, time.Minute, 100*time.Millisecond)
	proxy.Cut()
	// Held until the operator has been told, not for a guessed time.
	require.Eventually(t, func() bool { return strings.Contains(o.watch.String(), "the database is unavailable since ") },
		time.Minute, 10*time.Millisecond)
	proxy.Restore()
	r := <-done
	require.Equal(t, 0, r.code, r.stderr)
	require.Contains(t, r.stderr, "the database is unavailable since ")
	require.Regexp(t, `(?m)^purse\s+12\s+0\s+0\s+0\s+12\s`, r.stdout)
}

// A database that stays away longer than --db-timeout ends the command
// with exit 3, saying that the same command resumes.
func TestRunGivesUpOnADatabaseThatStaysAway(t *testing.T) {
	t.Parallel()
	dsn, proxy := postgresThroughProxy(t)
	o := newOperator(t)
	o.fakes(12)
	o.env["RESTRICT_DB"] = dsn
	done := make(chan outcome, 1)
	go func() {
		done <- o.main("run", "--action", "status", "--subjects", o.path("subjects.csv"), "--no-progress", "--name", "gone",
			"--rate", "purse=2", "--db-timeout", "2s")
	}()
	require.Eventually(t, func() bool {
		r := o.main("report", "--name", "gone", "--provider", "purse", "--result", "ok", "--format", "csv")
		return r.code == 0 && countLines(r.stdout) >= 2
	}, time.Minute, 100*time.Millisecond)
	proxy.Cut()
	r := <-done
	require.Equal(t, 3, r.code, r.stderr)
	require.Contains(t, r.stderr, "gave up after --db-timeout 2s")
	require.Contains(t, r.stderr, "run the same command to resume")
}

func countLines(s string) int { return strings.Count(s, "\n") }
