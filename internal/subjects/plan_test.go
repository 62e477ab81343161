package subjects

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/bulk"
)

// fakeRuns is a database's runs by name.
type fakeRuns map[string]*bulk.RunInfo

func (r fakeRuns) Run(_ context.Context, name string) (*bulk.RunInfo, error) {
	if ri, ok := r[name]; ok {
		return ri, nil
	}
	return nil, bulk.ErrRunNotFound
}

func testFile(t *testing.T) *File {
	t.Helper()
	f, err := Parse("s.csv", []byte("subject,walletplatform,purse\nalice,acc-1,"+testUUID+"\nbob,acc-2,\n"))
	require.NoError(t, err)
	return f
}

func TestNewPlanNamesAndCounts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := testFile(t)
	base := "restrict-" + f.Sum[:12]
	at := time.Date(2026, 12, 8, 1, 0, 0, 0, time.UTC)
	finished := func(name string) *bulk.RunInfo { return &bulk.RunInfo{Name: name, FinishedAt: at} }
	unfinished := func(name string) *bulk.RunInfo { return &bulk.RunInfo{Name: name} }

	pl, err := NewPlan(ctx, nil, restrict.OpRestrict, "", "why", f)
	require.NoError(t, err)
	require.Equal(t, &Plan{Run: base, Action: restrict.OpRestrict, Reason: "why", Subjects: 2, Jobs: map[string]int{"walletplatform": 2, "purse": 1}}, pl)

	pl, err = NewPlan(ctx, fakeRuns{base: unfinished(base)}, restrict.OpRestrict, "", "", f)
	require.NoError(t, err)
	require.Equal(t, base, pl.Run)
	require.Equal(t, base, pl.Resumes.Name)
	require.Nil(t, pl.Follows)

	runs := fakeRuns{base: finished(base), base + "-2": finished(base + "-2")}
	pl, err = NewPlan(ctx, runs, restrict.OpRestrict, "", "", f)
	require.NoError(t, err)
	require.Equal(t, base+"-3", pl.Run)
	require.Equal(t, base+"-2", pl.Follows.Name)
	require.Nil(t, pl.Resumes)

	pl, err = NewPlan(ctx, runs, restrict.OpLift, "", "", f)
	require.NoError(t, err)
	require.Equal(t, "lift-"+f.Sum[:12], pl.Run)

	pl, err = NewPlan(ctx, fakeRuns{"mine": unfinished("mine")}, restrict.OpStatus, "mine", "", f)
	require.NoError(t, err)
	require.Equal(t, "mine", pl.Run)
	require.Equal(t, "mine", pl.Resumes.Name)

	_, err = NewPlan(ctx, fakeRuns{"mine": finished("mine")}, restrict.OpRestrict, "mine", "", f)
	var fe *FinishedError
	require.ErrorAs(t, err, &fe)
	require.Equal(t, FinishedError{Run: "mine", FinishedAt: at}, *fe)
	require.EqualError(t, err, `run "mine" finished at 2026-12-08T01:00:00Z`)
}

type failingRuns struct{}

func (failingRuns) Run(context.Context, string) (*bulk.RunInfo, error) {
	return nil, errors.New("down")
}

func TestNewPlanRefuses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := testFile(t)
	_, err := NewPlan(ctx, nil, "block", "", "", f)
	require.EqualError(t, err, `action "block": want restrict, lift or status`)
	_, err = NewPlan(ctx, nil, restrict.OpRestrict, "a\x1b", "", f)
	require.ErrorContains(t, err, "name: ")
	_, err = NewPlan(ctx, failingRuns{}, restrict.OpRestrict, "", "", f)
	require.ErrorContains(t, err, "reading run restrict-"+f.Sum[:12]+": down")
}
