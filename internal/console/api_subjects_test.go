package console

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/restrictkit/restrict/bulk"
	"github.com/stretchr/testify/require"
)

func TestAPISubjectAnswersItsOutcomes(t *testing.T) {
	t.Parallel()
	f := newAPIFixture(t)
	// Money arriving at s1's purse customer after r1 restricted it.
	stored, err := f.engine.RecordWebhookEvent(t.Context(), bulk.WebhookEvent{ID: "ev-1", Provider: "purse",
		Type: "CUSTOMER_PURSE_FUNDS_RECEIVED_FOR_PURSE", Targets: []string{idPurse1}, Amount: "12.50", Currency: "USDT",
		Funds: true, ReceivedAt: time.Now().UTC()})
	require.NoError(t, err)
	require.True(t, stored)
	status, body := f.get(t, "/api/v1/subjects/{key}", "/api/v1/subjects/s1")
	require.Equal(t, http.StatusOK, status, "%s", body)
	var d struct {
		Subject  string
		Outcomes []bulk.Outcome
		Events   []bulk.SubjectEvent
	}
	require.NoError(t, json.Unmarshal(body, &d))
	require.Equal(t, "s1", d.Subject)
	require.Equal(t, []string{"s1@cryptomus", "s1@purse"}, keys(d.Outcomes))
	require.Len(t, d.Events, 1, "%s", body)
	ev := d.Events[0]
	require.Equal(t, "ev-1", ev.Event.ID)
	require.Equal(t, "purse", ev.Provider)
	require.Equal(t, idPurse1, ev.Target)
	require.Equal(t, "r1", ev.RestrictedBy)
	require.True(t, ev.FundsAfterRestriction)
}

func TestAPISubjectNotFound(t *testing.T) {
	t.Parallel()
	f := newAPIFixture(t)
	for _, key := range []string{"nobody", "%00"} {
		status, body := f.get(t, "/api/v1/subjects/{key}", "/api/v1/subjects/"+key)
		require.Equal(t, http.StatusNotFound, status, key)
		requireProblem(t, body, "subject-not-found")
	}
}
