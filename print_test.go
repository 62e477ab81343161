package restrict_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
)

func sampleReport() *restrict.Report {
	return &restrict.Report{Outcomes: []restrict.Outcome{
		{Name: "purse", Op: restrict.OpRestrict, Target: restrict.Target{ID: "c1", Reason: "court order"},
			Result: &restrict.Result{Provider: "purse", Action: restrict.ActionBlock, TargetID: "c1", State: restrict.StateRestricted,
				Meta: restrict.Meta{StatusCode: 200, RequestID: "req-1", Attempts: 1}},
			Duration: 3200 * time.Microsecond},
		{Name: "cryptomus", Op: restrict.OpRestrict, Target: restrict.Target{ID: "w\n1"},
			Err: &restrict.APIError{Provider: "cryptomus", Operation: "BlockAddress", StatusCode: 404, Message: "Not found\nFORGED line",
				Attempts: 3, Class: restrict.ErrNotFound},
			Duration: 2 * time.Millisecond},
		{Name: "kpayment", Op: restrict.OpLift, Target: restrict.Target{ID: "k1"},
			Err: restrict.NewUnsupportedError("kpayment", "Lift", "no unblock call")},
		{Name: "slow", Op: restrict.OpRestrict, Target: restrict.Target{ID: "s1"}, Err: context.DeadlineExceeded},
	}}
}

func TestOutcomeAndReportPrintReadably(t *testing.T) {
	t.Parallel()
	r := sampleReport()
	require.Equal(t, `purse restrict "c1" reason "court order": restricted (block; HTTP 200; request "req-1"; 1 attempt; 3ms)`, fmt.Sprint(r.Outcomes[0]))
	require.Equal(t, `cryptomus restrict "w\n1": failed, not_found: restrict: cryptomus BlockAddress: HTTP 404: Not found\nFORGED line (after 3 attempts) (2ms)`, fmt.Sprint(r.Outcomes[1]))
	require.Equal(t, `kpayment lift "k1": unsupported: restrict: kpayment Lift: unsupported: no unblock call (nothing sent)`, fmt.Sprint(r.Outcomes[2]))
	require.Equal(t, `slow restrict "s1": failed, timeout: context deadline exceeded`, fmt.Sprint(r.Outcomes[3]))

	for _, verb := range []string{"%v", "%+v", "%s"} {
		for _, v := range []any{r, *r, r.Outcomes[0], &r.Outcomes[0]} {
			got := fmt.Sprintf(verb, v)
			require.NotContains(t, got, "0x", verb)
			require.NotContains(t, got, "&{", verb)
			require.NotContains(t, got, "\n", verb)
		}
	}
	require.Equal(t, "4 outcomes (1 ok, 2 failed, 1 unsupported): "+fmt.Sprint(r.Outcomes[0])+"; "+fmt.Sprint(r.Outcomes[1])+"; "+
		fmt.Sprint(r.Outcomes[2])+"; "+fmt.Sprint(r.Outcomes[3]), fmt.Sprint(r))
	require.Equal(t, "<nil>", fmt.Sprint((*restrict.Report)(nil)))
}

func TestOutcomeAndReportLogAsFacts(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("done", "report", sampleReport(), "outcome", sampleReport().Outcomes[1])
	require.NotContains(t, buf.String(), "0x")
	var line struct {
		Report struct {
			OK          int                       `json:"ok"`
			Failed      int                       `json:"failed"`
			Unsupported int                       `json:"unsupported"`
			Outcomes    map[string]map[string]any `json:"outcomes"`
		} `json:"report"`
		Outcome map[string]any `json:"outcome"`
	}
	require.NoError(t, json.Unmarshal(buf.Bytes(), &line), buf.String())
	rep := line.Report
	require.Equal(t, []int{1, 2, 1}, []int{rep.OK, rep.Failed, rep.Unsupported})
	require.Len(t, rep.Outcomes, 4)
	ok := rep.Outcomes["0"]
	require.Equal(t, "purse", ok["name"])
	require.Equal(t, "restrict", ok["action"])
	require.Equal(t, "c1", ok["target"])
	require.Equal(t, "court order", ok["reason"])
	require.Equal(t, "block", ok["provider_action"])
	require.Equal(t, "restricted", ok["state"])
	require.EqualValues(t, 200, ok["status_code"])
	require.Equal(t, "req-1", ok["request_id"])
	require.EqualValues(t, 1, ok["attempts"])
	require.NotContains(t, ok, "error")
	require.Equal(t, line.Outcome, rep.Outcomes["1"])
	failed := line.Outcome
	require.Equal(t, "not_found", failed["class"])
	require.Equal(t, "unknown", failed["state"])
	require.EqualValues(t, 3, failed["attempts"])
	require.Contains(t, failed["error"], "Not found")
	require.Equal(t, "timeout", rep.Outcomes["3"]["class"])

	buf.Reset()
	slog.New(slog.NewTextHandler(&buf, nil)).Info("done", "report", sampleReport())
	require.Contains(t, buf.String(), "report.outcomes.0.state=restricted")
	require.NotContains(t, buf.String(), "0x")
}
