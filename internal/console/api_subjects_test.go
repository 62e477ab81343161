package console

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/restrictkit/restrict/bulk"
	"github.com/stretchr/testify/require"
)

func TestAPISubjectAnswersItsOutcomes(t *testing.T) {
	t.Parallel()
	f := newAPIFixture(t)
	skipWithoutBulkReads(t, f.engine)
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
	require.Empty(t, d.Events)
}

func TestAPISubjectNotFound(t *testing.T) {
	t.Parallel()
	f := newAPIFixture(t)
	skipWithoutBulkReads(t, f.engine)
	for _, key := range []string{"nobody", "%00"} {
		status, body := f.get(t, "/api/v1/subjects/{key}", "/api/v1/subjects/"+key)
		require.Equal(t, http.StatusNotFound, status, key)
		requireProblem(t, body, "subject-not-found")
	}
}
