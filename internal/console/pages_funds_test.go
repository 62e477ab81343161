package console

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/restrictkit/restrict/bulk"
	"github.com/stretchr/testify/require"
)

func TestFundsAfterRestrictionAreFlagged(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.finishedRun(t, "frozen", testSubjects(3))
	stored, err := ts.engine.RecordWebhookEvent(context.Background(), bulk.WebhookEvent{
		ID: "ev-1", Provider: "purse", Type: "CUSTOMER_PURSE_FUNDS_RECEIVED_FOR_PURSE", Targets: []string{purseID(1)},
		Amount: "12.50", Currency: "USDT", Funds: true, ReceivedAt: time.Now().Add(time.Second),
	})
	require.NoError(t, err)
	require.True(t, stored)

	status, body := ts.get(t, "/runs/frozen", viewerToken)
	require.Equal(t, http.StatusOK, status, body)
	outcomes := table(t, body, "outcomes")
	require.Equal(t, 2, strings.Count(outcomes, `<span class="funds-flag">`), "both of key-0001's rows")
	require.Regexp(t, `key-0001</a> <span class="funds-flag">`, outcomes)
	require.NotRegexp(t, `key-000[02]</a> <span class="funds-flag">`, outcomes)
	events := table(t, body, "run-events")
	require.Contains(t, events, `<tr class="event funds-flag">`)
	require.Contains(t, events, "12.50 USDT")
	require.Contains(t, events, "frozen at ")

	status, body = ts.get(t, "/subjects/key-0001", viewerToken)
	require.Equal(t, http.StatusOK, status, body)
	require.Contains(t, body, `<p class="funds-flag">Funds received after restriction.</p>`)
	require.Contains(t, table(t, body, "subject-events"), `<tr class="event funds-flag">`)
	_, body = ts.get(t, "/subjects/key-0000", viewerToken)
	require.NotContains(t, body, "funds-flag")

	_, body = ts.get(t, "/runs/frozen/report", viewerToken)
	funds := table(t, body, "funds-after-restriction")
	require.Equal(t, 1, strings.Count(funds, `<tr class="funds-flag">`))
	require.Contains(t, funds, "<td>key-0001</td><td>purse</td>")
}
