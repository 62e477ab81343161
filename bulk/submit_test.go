package bulk_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/bulk"
	"github.com/restrictkit/restrict/restricttest"
)

func waitRun(t *testing.T, e *bulk.Engine, run string) *bulk.Progress {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	p, err := e.Wait(ctx, run)
	require.NoError(t, err)
	return p
}

func TestFinishedRuns(t *testing.T) {
	cfg := fastConfig()
	cfg.SubmitBatch = 2
	databases(t, cfg, finishedRuns)
}

func finishedRuns(t *testing.T, e *bulk.Engine) {
	ctx := context.Background()
	a := &restricttest.Fake{Provider: "a"}
	require.NoError(t, e.Register("a", a, bulk.Limits{Concurrency: 2}))
	run := bulk.Run{Name: "fin", Op: restrict.OpRestrict}
	_, err := e.Submit(ctx, run, bulk.Subjects(subjects(5, "a")...))
	require.NoError(t, err)
	ri, err := e.Run(ctx, "fin")
	require.NoError(t, err)
	require.False(t, ri.Finished(), "submitted, nothing worked yet")

	// A submission cut short is not finished, even once its jobs are done.
	half := func(yield func(bulk.Subject, error) bool) {
		for i, s := range subjects(10, "a") {
			if i == 3 {
				yield(bulk.Subject{}, errors.New("cut short"))
				return
			}
			if !yield(s, nil) {
				return
			}
		}
	}
	_, err = e.Submit(ctx, bulk.Run{Name: "half", Op: restrict.OpRestrict}, half)
	require.ErrorContains(t, err, "cut short")

	// No ID anywhere: finished as soon as submitted.
	_, err = e.Submit(ctx, bulk.Run{Name: "empty", Op: restrict.OpRestrict}, bulk.Subjects(bulk.Subject{Key: "k"}))
	require.NoError(t, err)
	empty, err := e.Run(ctx, "empty")
	require.NoError(t, err)
	require.True(t, empty.Finished())
	require.Equal(t, empty.SubmittedAt, empty.FinishedAt)

	require.NoError(t, e.Start(ctx))
	defer func() { require.NoError(t, e.Stop(ctx)) }()
	waitRun(t, e, "fin")
	require.Eventually(t, func() bool {
		p, err := e.Progress(ctx, "half")
		return err == nil && p.All.Pending == 0
	}, 20*time.Second, time.Millisecond)

	ri, err = e.Run(ctx, "fin")
	require.NoError(t, err)
	require.True(t, ri.Finished())
	var last time.Time
	for o, err := range e.Outcomes(ctx, bulk.Filter{Run: "fin"}) {
		require.NoError(t, err)
		if o.FinishedAt.After(last) {
			last = o.FinishedAt
		}
	}
	require.True(t, last.Equal(ri.FinishedAt), "FinishedAt %v is the last outcome's %v", ri.FinishedAt, last)
	halfInfo, err := e.Run(ctx, "half")
	require.NoError(t, err)
	require.False(t, halfInfo.Finished(), "its submission never completed")
	runs, err := e.Runs(ctx)
	require.NoError(t, err)
	byName := map[string]bulk.RunInfo{}
	for _, r := range runs {
		byName[r.Name] = r
	}
	require.True(t, byName["fin"].FinishedAt.Equal(ri.FinishedAt))
	require.True(t, byName["half"].FinishedAt.IsZero())

	// Submitting a finished run is refused and adds nothing.
	_, err = e.Submit(ctx, run, bulk.Subjects(subjects(6, "a")...))
	var fe *bulk.RunFinishedError
	require.ErrorAs(t, err, &fe)
	require.ErrorIs(t, err, bulk.ErrRunFinished)
	require.Equal(t, "fin", fe.Run)
	require.True(t, fe.FinishedAt.Equal(ri.FinishedAt))
	require.Contains(t, err.Error(), ri.FinishedAt.UTC().Format(time.RFC3339))
	// Accepting it still checks the subjects: a sixth one is a conflict.
	run.AcceptFinished = true
	_, err = e.Submit(ctx, run, bulk.Subjects(subjects(6, "a")...))
	require.ErrorIs(t, err, restrict.ErrConflict)
	sub, err := e.Submit(ctx, run, bulk.Subjects(subjects(5, "a")...))
	require.NoError(t, err)
	require.Equal(t, bulk.Submitted{Subjects: 5, Existing: 5}, *sub)
	after, err := e.Run(ctx, "fin")
	require.NoError(t, err)
	require.Equal(t, ri, after, "accepting a finished run changes nothing")
	require.Len(t, a.Calls(), 5+2)
}

// changed returns the subjects of subjects(n, providers...) with edit
// applied to the i-th subject's IDs.
func changed(n int, edit map[int]func(ids map[string]string), providers ...string) []bulk.Subject {
	s := subjects(n, providers...)
	for i, f := range edit {
		s[i].IDs = maps.Clone(s[i].IDs)
		f(s[i].IDs)
	}
	return s
}

func TestConflictsAreRefused(t *testing.T) {
	cfg := fastConfig()
	cfg.SubmitBatch = 3
	databases(t, cfg, conflicts)
}

func conflicts(t *testing.T, e *bulk.Engine) {
	ctx := context.Background()
	run := bulk.Run{Name: "c", Op: restrict.OpRestrict, Reason: "sanctions"}
	_, err := e.Submit(ctx, run, bulk.Subjects(subjects(10, "a", "b")...))
	require.NoError(t, err)
	before, err := e.Run(ctx, "c")
	require.NoError(t, err)

	refused := func(t *testing.T, run bulk.Run, subs []bulk.Subject) *bulk.ConflictError {
		t.Helper()
		sub, err := e.Submit(ctx, run, bulk.Subjects(subs...))
		var ce *bulk.ConflictError
		require.ErrorAs(t, err, &ce)
		require.ErrorIs(t, err, restrict.ErrConflict)
		require.Equal(t, int64(0), sub.Jobs)
		p, err := e.Progress(ctx, "c")
		require.NoError(t, err)
		require.Equal(t, bulk.Counts{Total: 20, Pending: 20}, p.All, "nothing was added")
		after, err := e.Run(ctx, "c")
		require.NoError(t, err)
		require.Equal(t, before, after)
		return ce
	}

	lift := run
	lift.Op = restrict.OpLift
	ce := refused(t, lift, subjects(10, "a", "b"))
	require.Equal(t, "action", ce.Field)
	require.ErrorIs(t, ce, bulk.ErrRunMismatch)
	require.Contains(t, ce.Error(), `"restrict", not "lift"`)

	other := run
	other.Reason = "fraud"
	ce = refused(t, other, subjects(10, "a", "b"))
	require.Equal(t, "reason", ce.Field)
	require.NotErrorIs(t, ce, bulk.ErrRunMismatch)

	for name, edit := range map[string]func(ids map[string]string){
		"another ID":    func(ids map[string]string) { ids["a"] = "corrected" },
		"an ID added":   func(ids map[string]string) { ids["c"] = "c-new" },
		"an ID removed": func(ids map[string]string) { delete(ids, "b") },
		"an ID emptied": func(ids map[string]string) { ids["b"] = "" },
	} {
		t.Run(name, func(t *testing.T) {
			ce := refused(t, run, changed(10, map[int]func(map[string]string){7: edit}, "a", "b"))
			require.Equal(t, "subjects", ce.Field)
			require.Equal(t, []string{"c0007"}, ce.Subjects)
			require.Zero(t, ce.More)
		})
	}
	t.Run("a subject missing", func(t *testing.T) {
		ce := refused(t, run, subjects(10, "a", "b")[:8])
		require.Equal(t, []string{"c0008", "c0009"}, ce.Subjects)
	})
	t.Run("a subject added to a submitted run", func(t *testing.T) {
		ce := refused(t, run, subjects(11, "a", "b"))
		require.Equal(t, []string{"c0010"}, ce.Subjects)
	})
	t.Run("a provider left out", func(t *testing.T) {
		only := run
		only.Providers = []string{"a"}
		ce := refused(t, only, subjects(10, "a", "b"))
		require.Len(t, ce.Subjects, 5)
		require.Equal(t, 5, ce.More)
	})
	t.Run("a key repeated with other IDs", func(t *testing.T) {
		subs := subjects(10, "a", "b")
		dup := subs[2]
		dup.IDs = map[string]string{"a": "a-0002"}
		ce := refused(t, run, append(subs, dup))
		require.Equal(t, []string{"c0002"}, ce.Subjects)
	})
	t.Run("more than five", func(t *testing.T) {
		edits := map[int]func(map[string]string){}
		for i := range 8 {
			edits[i] = func(ids map[string]string) { ids["a"] += "x" }
		}
		ce := refused(t, run, changed(10, edits, "a", "b"))
		require.Equal(t, []string{"c0000", "c0001", "c0002", "c0003", "c0004"}, ce.Subjects)
		require.Equal(t, 3, ce.More)
		require.Contains(t, ce.Error(), `"c0004" and 3 more differ; nothing was added`)
	})

	// The same subjects again, one repeated with the same IDs, are no
	// conflict.
	same, err := e.Submit(ctx, run, bulk.Subjects(append(subjects(10, "a", "b"), subjects(3, "a", "b")[2])...))
	require.NoError(t, err)
	require.Equal(t, bulk.Submitted{Subjects: 11, Existing: 22}, *same)
}

// A new run is stored a batch at a time: a key repeated with other IDs
// stops the submission at the batch of the repeat, keeping the batches
// before it, and a corrected submission completes the run.
func TestConflictWithinANewRun(t *testing.T) {
	cfg := fastConfig()
	cfg.SubmitBatch = 4
	databases(t, cfg, func(t *testing.T, e *bulk.Engine) {
		ctx := context.Background()
		run := bulk.Run{Name: "dup", Op: restrict.OpRestrict}
		subs := subjects(10, "a")
		dup := bulk.Subject{Key: "c0001", IDs: map[string]string{"a": "other"}}
		withDup := append(append(append([]bulk.Subject{}, subs[:6]...), dup), subs[6:]...)
		sub, err := e.Submit(ctx, run, bulk.Subjects(withDup...))
		var ce *bulk.ConflictError
		require.ErrorAs(t, err, &ce)
		require.Equal(t, []string{"c0001"}, ce.Subjects)
		require.Equal(t, int64(4), sub.Jobs, "the first batch was committed")
		p, err := e.Progress(ctx, "dup")
		require.NoError(t, err)
		require.Equal(t, int64(4), p.All.Total)
		ri, err := e.Run(ctx, "dup")
		require.NoError(t, err)
		require.True(t, ri.SubmittedAt.IsZero(), "the run stays incomplete")

		// The corrected file completes it; one that changes a stored key
		// does not.
		_, err = e.Submit(ctx, run, bulk.Subjects(changed(10, map[int]func(map[string]string){
			0: func(ids map[string]string) { ids["a"] = "changed" }}, "a")...))
		require.ErrorIs(t, err, restrict.ErrConflict)
		again, err := e.Submit(ctx, run, bulk.Subjects(changed(10, map[int]func(map[string]string){
			8: func(ids map[string]string) { ids["a"] = "not stored yet" }}, "a")...))
		require.NoError(t, err)
		require.Equal(t, bulk.Submitted{Subjects: 10, Jobs: 6, Existing: 4}, *again)
		ri, err = e.Run(ctx, "dup")
		require.NoError(t, err)
		require.False(t, ri.SubmittedAt.IsZero())
		require.Equal(t, int64(10), ri.Jobs)

		// A repeat within the first batch stores nothing, not even the run.
		_, err = e.Submit(ctx, bulk.Run{Name: "dup2", Op: restrict.OpRestrict}, bulk.Subjects(subs[0], subs[1],
			bulk.Subject{Key: "c0000", IDs: map[string]string{"a": "a-0000", "b": "b"}}))
		require.ErrorAs(t, err, &ce)
		_, err = e.Run(ctx, "dup2")
		require.ErrorIs(t, err, bulk.ErrRunNotFound)
	})
}

func TestCheckKeyAndID(t *testing.T) {
	for _, tc := range []struct {
		key, want string
	}{
		{"c0001", ""},
		{"Ünïcødé 客户", ""},
		{strings.Repeat("k", 200), ""},
		{"", "empty"},
		{strings.Repeat("k", 8000), "8000 bytes, at most 200"},
		{"ab\x00", "control character U+0000 at byte 3"},
		{"tab\there", "control character U+0009 at byte 4"},
		{"del\x7f", "control character U+007F at byte 4"},
		{"c1\u0085", "control character U+0085 at byte 3"},
		{"abcd\xff", "not valid UTF-8 at byte 5"},
		{"\xc3", "not valid UTF-8 at byte 1"},
	} {
		err := bulk.CheckKey(tc.key)
		if tc.want == "" {
			require.NoError(t, err, "%q", tc.key)
			continue
		}
		require.EqualError(t, err, tc.want, "%q", tc.key)
	}
	require.NoError(t, bulk.CheckID(""), "no ID")
	require.NoError(t, bulk.CheckID(strings.Repeat("9", 256)))
	require.EqualError(t, bulk.CheckID(strings.Repeat("9", 257)), "257 bytes, at most 256")
	require.EqualError(t, bulk.CheckID("id\n"), "control character U+000A at byte 3")
	require.EqualError(t, bulk.CheckID("\xfe"), "not valid UTF-8 at byte 1")
}

// at returns n good subjects with bad put at position pos (from 1).
func at(n, pos int, bad bulk.Subject) iter.Seq2[bulk.Subject, error] {
	s := subjects(n, "a")
	s = append(s[:pos-1], append([]bulk.Subject{bad}, s[pos-1:]...)...)
	return bulk.Subjects(s...)
}

// Input neither database could store, or could store only changed, is
// refused before its batch is stored: a key of invalid UTF-8 (which once
// hung a run with a pending row beside an ok one), an 8,000-byte key and a
// NUL (which once failed on Postgres after 500 jobs were queued).
func TestBadInputIsRefusedBeforeAnythingIsStored(t *testing.T) {
	databases(t, fastConfig(), func(t *testing.T, e *bulk.Engine) {
		ctx := context.Background()
		for i, tc := range []struct {
			bad            bulk.Subject
			field, message string
		}{
			{bulk.Subject{Key: "bad\xff", IDs: map[string]string{"a": "1"}}, "key", `subject 500 (key "bad\xff"): key: not valid UTF-8 at byte 4`},
			{bulk.Subject{Key: strings.Repeat("k", 8000), IDs: map[string]string{"a": "1"}}, "key", `key: 8000 bytes, at most 200`},
			{bulk.Subject{Key: "nul\x00", IDs: map[string]string{"a": "1"}}, "key", `subject 500 (key "nul\x00"): key: control character U+0000 at byte 4`},
			{bulk.Subject{Key: "longid", IDs: map[string]string{"a": strings.Repeat("9", 300)}}, "id", `subject 500 (key "longid"): ID at provider "a": 300 bytes, at most 256`},
			{bulk.Subject{Key: "nulid", IDs: map[string]string{"a": "1\x00"}}, "id", `ID at provider "a": control character U+0000 at byte 2`},
			{bulk.Subject{Key: "badprovider", IDs: map[string]string{"Purse EU": "1"}}, "provider", `provider name "Purse EU": want`},
		} {
			name := fmt.Sprintf("bad%d", i)
			// Position 500 is the last of the first batch (Config.SubmitBatch).
			_, err := e.Submit(ctx, bulk.Run{Name: name, Op: restrict.OpRestrict}, at(700, 500, tc.bad))
			var se *bulk.SubjectError
			require.ErrorAs(t, err, &se)
			require.Equal(t, 500, se.Position)
			require.Equal(t, tc.field, se.Field)
			require.ErrorContains(t, err, tc.message)
			require.NotContains(t, err.Error(), "\x00", "no raw control byte in the message")
			require.LessOrEqual(t, len(err.Error()), 300, "a long key is not echoed whole")
			_, err = e.Run(ctx, name)
			require.ErrorIs(t, err, bulk.ErrRunNotFound, "nothing stored, not even the run")
		}

		// A re-submission is one transaction: nothing at all is stored.
		run := bulk.Run{Name: "resubmitted", Op: restrict.OpRestrict}
		half := func(yield func(bulk.Subject, error) bool) {
			for i, s := range subjects(700, "a") {
				if i == 600 {
					yield(bulk.Subject{}, errors.New("cut short"))
					return
				}
				if !yield(s, nil) {
					return
				}
			}
		}
		_, err := e.Submit(ctx, run, half)
		require.ErrorContains(t, err, "cut short")
		_, err = e.Submit(ctx, run, at(700, 650, bulk.Subject{Key: "nul\x00", IDs: map[string]string{"a": "1"}}))
		require.ErrorContains(t, err, "control character U+0000")
		p, err := e.Progress(ctx, "resubmitted")
		require.NoError(t, err)
		require.Equal(t, int64(500), p.All.Total, "only the first submission's batch")

		_, err = e.Submit(ctx, bulk.Run{Name: "bad\x1b[31m", Op: restrict.OpRestrict}, bulk.Subjects())
		require.ErrorContains(t, err, `run name "bad\x1b[31m": control character U+001B at byte 4`)
	})
}

// stateChecker answers every call with the state its map gives the ID ("" when
// none).
type stateChecker map[string]restrict.State

func (s stateChecker) result(t restrict.Target) (*restrict.Result, error) {
	return &restrict.Result{Provider: "s", TargetID: t.ID, State: s[t.ID], Meta: restrict.Meta{StatusCode: 200, Attempts: 1}}, nil
}
func (s stateChecker) Restrict(_ context.Context, t restrict.Target) (*restrict.Result, error) {
	return s.result(t)
}
func (s stateChecker) Lift(_ context.Context, t restrict.Target) (*restrict.Result, error) {
	return s.result(t)
}
func (s stateChecker) Status(_ context.Context, t restrict.Target) (*restrict.Result, error) {
	return s.result(t)
}

func TestProgressCountsStates(t *testing.T) {
	databases(t, fastConfig(), func(t *testing.T, e *bulk.Engine) {
		ctx := context.Background()
		a := &restricttest.Fake{Provider: "a"}
		for _, id := range []string{"a-0000", "a-0001"} {
			_, err := a.Restrict(ctx, restrict.Target{ID: id})
			require.NoError(t, err)
		}
		a.FailWith("a-0004", &restrict.APIError{Provider: "a", Class: restrict.ErrNotFound, StatusCode: 404})
		s := stateChecker{"s-0000": restrict.StateRestricted, "s-0001": restrict.StateUnknown, "s-0002": "frozen"}
		require.NoError(t, e.Register("a", a, bulk.Limits{}))
		require.NoError(t, e.Register("s", s, bulk.Limits{}))
		_, err := e.Submit(ctx, bulk.Run{Name: "st", Op: restrict.OpStatus}, bulk.Subjects(subjects(5, "a", "s")...))
		require.NoError(t, err)
		require.NoError(t, e.Start(ctx))
		defer func() { require.NoError(t, e.Stop(ctx)) }()
		p := waitRun(t, e, "st")
		require.Equal(t, []bulk.Counts{
			{Provider: "a", Total: 5, OK: 4, Failed: 1, Restricted: 2, Active: 2},
			{Provider: "s", Total: 5, OK: 5, Restricted: 1, Unknown: 4},
		}, p.Providers)
		require.Equal(t, bulk.Counts{Total: 10, OK: 9, Failed: 1, Restricted: 3, Active: 2, Unknown: 4}, p.All)
	})
}
