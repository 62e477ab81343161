package main

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict/bulk"
)

// An operator runs with --rate, reads the limit it wrote with "restrict
// limits", changes it with "limits set", and the next run with its old
// --rate is told that the database's rate is in force.
func TestLimitsShowSetAndTheDatabaseWins(t *testing.T) {
	o := newOperator(t)
	o.fakes(3)
	r := o.main("limits")
	require.Equal(t, 2, r.code, "no database yet: %s", r.stderr)

	r = o.main("run", "--action", "status", "--subjects", o.path("subjects.csv"), "--yes", "--rate", "purse=50")
	require.Equal(t, 0, r.code, r.stderr)
	require.NotContains(t, r.stderr, "is in force")

	limits := o.limits()
	require.Len(t, limits, 1)
	require.Equal(t, "purse", limits[0].Provider)
	require.InDelta(t, 50, limits[0].Rate, 0)

	r = o.main("limits", "set", "purse=30", "--concurrency", "purse=4")
	require.Equal(t, 0, r.code, r.stderr)
	require.Contains(t, r.stdout, "purse: rate 30/s")
	require.Contains(t, r.stdout, "purse: concurrency 4 at once")
	limits = o.limits()
	require.InDelta(t, 30, limits[0].Rate, 0)
	require.Equal(t, 4, limits[0].Concurrency)
	require.Equal(t, "restrict limits set", limits[0].UpdatedBy)

	r = o.main("limits")
	require.Equal(t, 0, r.code, r.stderr)
	require.Contains(t, r.stdout, "PROVIDER")
	require.Contains(t, r.stdout, "30/s")

	r = o.main("run", "--action", "status", "--subjects", o.path("subjects.csv"), "--yes", "--rate", "purse=50")
	require.Equal(t, 0, r.code, r.stderr)
	require.Contains(t, r.stderr, "purse: the database's rate of 30/s is in force, not --rate 50")

	for _, bad := range [][]string{
		{"limits", "set"},
		{"limits", "set", "nobody=3"},
		{"limits", "set", "purse=-1"},
		{"limits", "set", "purse"},
		{"limits", "set", "--concurrency", "purse=1.5"},
		{"limits", "--format", "xml"},
	} {
		r := o.main(bad...)
		require.Equal(t, 2, r.code, "%v: %s", bad, r.stderr)
	}
	require.InDelta(t, 30, o.limits()[0].Rate, 0, "a refused set changed nothing")

	// A rate of 0 is none: the next run started with --rate writes its own.
	r = o.main("limits", "set", "purse=0")
	require.Equal(t, 0, r.code, r.stderr)
	require.Contains(t, r.stdout, "purse: rate none")
	r = o.main("run", "--action", "status", "--subjects", o.path("subjects.csv"), "--yes", "--rate", "purse=40")
	require.Equal(t, 0, r.code, r.stderr)
	require.NotContains(t, r.stderr, "is in force")
	require.InDelta(t, 40, o.limits()[0].Rate, 0)
}

// limits is "restrict limits --format json".
func (o *operator) limits() []bulk.Limit {
	o.t.Helper()
	r := o.main("limits", "--format", "json")
	require.Equal(o.t, 0, r.code, r.stderr)
	var out []bulk.Limit
	require.NoError(o.t, json.Unmarshal([]byte(r.stdout), &out), r.stdout)
	return out
}
