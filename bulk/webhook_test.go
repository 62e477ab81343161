package bulk_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/bulk"
)

func TestRecordWebhookEventOnce(t *testing.T) {
	databases(t, fastConfig(), func(t *testing.T, e *bulk.Engine) {
		ctx := context.Background()
		_, err := e.Submit(ctx, bulk.Run{Name: "r", Op: restrict.OpStatus}, bulk.Subjects(subjects(1, "a")...))
		require.NoError(t, err)
		at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
		ev := bulk.WebhookEvent{ID: "a:1", Provider: "a", Type: "wallet", Targets: []string{"a-0000", "order-7", "a-0000"},
			Amount: "25", Currency: "USDT", Status: "paid", Funds: true, ReceivedAt: at}
		stored, err := e.RecordWebhookEvent(ctx, ev)
		require.NoError(t, err)
		require.True(t, stored)
		replay := ev
		replay.Amount, replay.ReceivedAt = "9999", at.Add(time.Hour)
		stored, err = e.RecordWebhookEvent(ctx, replay)
		require.NoError(t, err)
		require.False(t, stored, "a replay is not stored again")

		got, err := e.SubjectEvents(ctx, "c0000")
		require.NoError(t, err)
		require.Len(t, got, 1)
		require.Equal(t, bulk.SubjectEvent{
			Event: bulk.WebhookEvent{ID: "a:1", Provider: "a", Type: "wallet", Targets: []string{"a-0000", "order-7"},
				Amount: "25", Currency: "USDT", Status: "paid", Funds: true, ReceivedAt: at},
			Subject: "c0000", Provider: "a", Target: "a-0000",
		}, got[0], "the first event as received, not restricted by a status run")
		runEvents, err := e.RunEvents(ctx, "r")
		require.NoError(t, err)
		require.Equal(t, got, runEvents)

		_, err = e.RecordWebhookEvent(ctx, bulk.WebhookEvent{Provider: "a"})
		require.ErrorContains(t, err, "ID is required")
		_, err = e.RecordWebhookEvent(ctx, bulk.WebhookEvent{ID: "x", Provider: "Not A Name"})
		require.Error(t, err)
	})
}

// An event is flagged as funds after restriction only while its target
// was restricted: after a successful restrict, before any successful lift.
func TestFundsAfterRestriction(t *testing.T) {
	databases(t, fastConfig(), func(t *testing.T, e *bulk.Engine) {
		ctx := context.Background()
		_, b := startFakes(t, e)
		b.FailWith("b-0001", &restrict.APIError{Provider: "b", Class: restrict.ErrInvalidRequest, StatusCode: 400, Message: "no"})
		runToEnd(t, e, bulk.Run{Name: "restrict-1", Op: restrict.OpRestrict}, subjects(2, "a", "b"))
		r1, err := e.Run(ctx, "restrict-1")
		require.NoError(t, err)
		runToEnd(t, e, bulk.Run{Name: "status-2", Op: restrict.OpStatus}, subjects(2, "a"))
		s2, err := e.Run(ctx, "status-2")
		require.NoError(t, err)
		runToEnd(t, e, bulk.Run{Name: "lift-3", Op: restrict.OpLift}, subjects(1, "a"))
		l3, err := e.Run(ctx, "lift-3")
		require.NoError(t, err)

		record := func(id, provider, target string, funds bool, at time.Time) {
			t.Helper()
			stored, err := e.RecordWebhookEvent(ctx, bulk.WebhookEvent{ID: id, Provider: provider, Type: "t", Targets: []string{target}, Funds: funds, ReceivedAt: at})
			require.NoError(t, err)
			require.True(t, stored)
		}
		record("before", "a", "a-0001", true, r1.CreatedAt.Add(-time.Hour))
		record("while", "a", "a-0001", true, s2.FinishedAt.Add(time.Millisecond))
		record("while-nofunds", "a", "a-0001", false, s2.FinishedAt.Add(2*time.Millisecond))
		record("after-lift", "a", "a-0000", true, l3.FinishedAt.Add(time.Hour))
		record("lifted-other", "a", "a-0001", true, l3.FinishedAt.Add(time.Hour))
		record("failed", "b", "b-0001", true, l3.FinishedAt.Add(time.Hour))
		record("unknown", "a", "nobody", true, l3.FinishedAt.Add(time.Hour))

		type flag struct {
			id, by string
			funds  bool
		}
		flags := func(evs []bulk.SubjectEvent) []flag {
			var out []flag
			for _, se := range evs {
				out = append(out, flag{se.Event.ID, se.RestrictedBy, se.FundsAfterRestriction})
				require.Equal(t, se.RestrictedBy == "", se.RestrictedAt.IsZero())
			}
			return out
		}
		got, err := e.SubjectEvents(ctx, "c0001")
		require.NoError(t, err)
		require.Equal(t, []flag{
			{"before", "", false},
			{"while", "restrict-1", true},
			{"while-nofunds", "restrict-1", false},
			{"failed", "", false},                // the restrict at b failed
			{"lifted-other", "restrict-1", true}, // lift-3 lifted c0000 only
		}, flags(got))
		for _, se := range got {
			if se.RestrictedBy != "" {
				require.True(t, se.RestrictedAt.Before(se.Event.ReceivedAt))
			}
		}

		got, err = e.SubjectEvents(ctx, "c0000")
		require.NoError(t, err)
		require.Equal(t, []flag{{"after-lift", "", false}}, flags(got))

		got, err = e.RunEvents(ctx, "lift-3")
		require.NoError(t, err)
		require.Equal(t, []flag{{"after-lift", "", false}}, flags(got))
		got, err = e.RunEvents(ctx, "restrict-1")
		require.NoError(t, err)
		require.Len(t, got, 6)
	})
}

// A Reader reads what the engine's new reads do, from a read-only file.
func TestReaderReadsPagesSubjectsAndEvents(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "r.db")
	e, err := bulk.Open(ctx, path, fastConfig())
	require.NoError(t, err)
	_, err = e.Submit(ctx, bulk.Run{Name: "r", Op: restrict.OpRestrict, SubmittedBy: "otto"}, bulk.Subjects(subjects(3, "a")...))
	require.NoError(t, err)
	_, err = e.RecordWebhookEvent(ctx, bulk.WebhookEvent{ID: "e1", Provider: "a", Targets: []string{"a-0002"}, Funds: true})
	require.NoError(t, err)
	require.NoError(t, e.Close())

	r, err := bulk.OpenReader(ctx, path, bulk.Config{})
	require.NoError(t, err)
	defer r.Close()
	ri, err := r.Run(ctx, "r")
	require.NoError(t, err)
	require.Equal(t, "otto", ri.SubmittedBy)
	page, err := r.OutcomesPage(ctx, bulk.Filter{Run: "r", After: &bulk.OutcomeKey{Subject: "c0000", Provider: "a"}}, 1)
	require.NoError(t, err)
	require.Len(t, page, 1)
	require.Equal(t, "c0001", page[0].Subject)
	outs, err := r.SubjectOutcomes(ctx, "c0002")
	require.NoError(t, err)
	require.Len(t, outs, 1)
	require.Equal(t, bulk.ResultPending, outs[0].Result)
	evs, err := r.SubjectEvents(ctx, "c0002")
	require.NoError(t, err)
	require.Len(t, evs, 1)
	require.False(t, evs[0].FundsAfterRestriction, "a pending restrict restricted nothing yet")
	evs, err = r.RunEvents(ctx, "r")
	require.NoError(t, err)
	require.Len(t, evs, 1)
}
