package export

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"iter"
	"strconv"
	"time"

	"github.com/restrictkit/restrict/bulk"
)

// csvHeader is the CSV report's first row; its order is the published
// column order.
var csvHeader = []string{"run", "subject", "provider", "target", "action", "provider_action", "state", "result", "http_attempts", "http_attempts_lower_bound",
	"job_attempts", "http_status", "request_id", "started_at", "finished_at", "error_class", "error_code", "error_message"}

// WriteJSON writes outcomes as a JSON array of journal rows in the audit
// schema (docs/audit-record.schema.json), one object a line, streaming: a
// run of any size is never held in memory. The first error of outcomes
// or of w ends it.
func WriteJSON(w io.Writer, outcomes iter.Seq2[bulk.Outcome, error]) error {
	if _, err := io.WriteString(w, "["); err != nil {
		return err
	}
	n := 0
	for o, err := range outcomes {
		if err != nil {
			return err
		}
		b, err := json.Marshal(o)
		if err != nil {
			return err
		}
		sep := ",\n  "
		if n == 0 {
			sep = "\n  "
		}
		n++
		if _, err := io.WriteString(w, sep); err != nil {
			return err
		}
		if _, err := w.Write(JSONSafe(b)); err != nil {
			return err
		}
	}
	end := "]\n"
	if n > 0 {
		end = "\n]\n"
	}
	_, err := io.WriteString(w, end)
	return err
}

// WriteCSV writes outcomes as CSV with a header row, every cell escaped
// by CSVCell, streaming. The first error of outcomes or of w ends it.
func WriteCSV(w io.Writer, outcomes iter.Seq2[bulk.Outcome, error]) error {
	cw := csv.NewWriter(w)
	_ = cw.Write(csvHeader)
	for o, err := range outcomes {
		if err != nil {
			return err
		}
		var e bulk.OutcomeError
		if o.Error != nil {
			e = *o.Error
		}
		row := []string{o.Run, o.Subject, o.Provider, o.Target, string(o.Op), string(o.ProviderAction), string(o.State), string(o.Result),
			strconv.Itoa(o.HTTPAttempts), strconv.FormatBool(o.HTTPAttemptsLowerBound), strconv.Itoa(o.JobAttempts), strconv.Itoa(o.HTTPStatus), o.RequestID,
			timeText(o.StartedAt), timeText(o.FinishedAt), e.Class, e.Code, e.Message}
		for i := range row {
			row[i] = CSVCell(row[i])
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}
