package export

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"iter"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/bulk"
)

func outcomes(list []bulk.Outcome, err error) iter.Seq2[bulk.Outcome, error] {
	return func(yield func(bulk.Outcome, error) bool) {
		for _, o := range list {
			if !yield(o, nil) {
				return
			}
		}
		if err != nil {
			yield(bulk.Outcome{}, err)
		}
	}
}

var testOutcomes = []bulk.Outcome{
	{Run: "r", Subject: "=cmd|' /C calc'!A0", Provider: "purse", Target: "t-1", Op: restrict.OpRestrict, Result: bulk.ResultOK,
		State: restrict.StateRestricted, ProviderAction: restrict.ActionBlock, HTTPStatus: 200, HTTPAttempts: 2, JobAttempts: 1, RequestID: "req-1",
		StartedAt: time.Date(2026, 12, 8, 1, 2, 3, 400, time.FixedZone("x", 3600)), FinishedAt: time.Date(2026, 12, 8, 1, 2, 4, 0, time.UTC)},
	{Run: "r", Subject: "bob\u009b", Provider: "kpayment", Target: "t-2", Op: restrict.OpRestrict, Result: bulk.ResultFailed,
		HTTPAttempts: 1, HTTPAttemptsLowerBound: true, JobAttempts: 3, Error: &bulk.OutcomeError{Class: "not_found", Code: "E1", Message: "-no such account"}},
}

// The CSV report: a header, then a row per outcome, each cell escaped,
// times in UTC.
func TestWriteCSV(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	require.NoError(t, WriteCSV(&b, outcomes(testOutcomes, nil)))
	rows, err := csv.NewReader(&b).ReadAll()
	require.NoError(t, err)
	require.Equal(t, [][]string{
		csvHeader,
		{"r", "'=cmd|' /C calc'!A0", "purse", "t-1", "restrict", "block", "restricted", "ok", "2", "false", "1", "200", "req-1",
			"2026-12-08T00:02:03.0000004Z", "2026-12-08T01:02:04Z", "", "", ""},
		{"r", "bob\u009b", "kpayment", "t-2", "restrict", "", "", "failed", "1", "true", "3", "0", "", "", "", "not_found", "E1", "'-no such account"},
	}, rows)

	b.Reset()
	require.NoError(t, WriteCSV(&b, outcomes(nil, nil)))
	require.Equal(t, "run,subject,provider,target,action,provider_action,state,result,http_attempts,http_attempts_lower_bound,job_attempts,http_status,request_id,started_at,finished_at,error_class,error_code,error_message\n", b.String())

	boom := errors.New("boom")
	require.ErrorIs(t, WriteCSV(&b, outcomes(testOutcomes, boom)), boom)
}

// The JSON report: an array, one outcome a line, decoding to the
// outcomes, with no raw control character.
func TestWriteJSON(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	require.NoError(t, WriteJSON(&b, outcomes(testOutcomes, nil)))
	require.Equal(t, 4, bytes.Count(b.Bytes(), []byte("\n")))
	require.True(t, bytes.HasPrefix(b.Bytes(), []byte("[\n  {\"run\":\"r\",")), b.String())
	require.True(t, bytes.HasSuffix(b.Bytes(), []byte("}\n]\n")), b.String())
	require.Contains(t, b.String(), `"subject":"bob\u009b"`)
	var back []bulk.Outcome
	require.NoError(t, json.Unmarshal(b.Bytes(), &back))
	require.Len(t, back, 2)
	require.Equal(t, testOutcomes[1], back[1])
	require.True(t, testOutcomes[0].StartedAt.Equal(back[0].StartedAt))

	b.Reset()
	require.NoError(t, WriteJSON(&b, outcomes(nil, nil)))
	require.Equal(t, "[]\n", b.String())

	boom := errors.New("boom")
	require.ErrorIs(t, WriteJSON(&b, outcomes(testOutcomes, boom)), boom)
}
