package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/restrictkit/restrict/bulk"
	"github.com/restrictkit/restrict/internal/fleet"
)

// record is one line of a report: what happened for one subject at one
// provider. Its JSON keys are the report's documented format.
type record struct {
	Subject        string `json:"subject"`
	Provider       string `json:"provider"`
	Target         string `json:"target"`
	Action         string `json:"action"`
	ProviderAction string `json:"provider_action"`
	State          string `json:"state"`
	Result         string `json:"result"`
	Attempts       int    `json:"attempts"`
	// AttemptsAtLeast says Attempts is a lower bound: a process died
	// during an attempt, whose HTTP requests were not counted.
	AttemptsAtLeast bool         `json:"attempts_lower_bound,omitempty"`
	JobAttempts     int          `json:"job_attempts"`
	HTTPStatus      int          `json:"http_status"`
	RequestID       string       `json:"request_id"`
	StartedAt       *time.Time   `json:"started_at"`
	FinishedAt      *time.Time   `json:"finished_at"`
	Error           *recordError `json:"error"`
}

type recordError struct {
	Class   string `json:"class"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

func recordOf(o bulk.Outcome) record {
	r := record{
		Subject: o.Subject, Provider: o.Provider, Target: o.Target, Action: string(o.Action),
		ProviderAction: string(o.ProviderAction), State: string(o.State), Result: string(o.Result),
		Attempts: o.HTTPAttempts, AttemptsAtLeast: o.HTTPAttemptsLowerBound, JobAttempts: o.JobAttempts, HTTPStatus: o.HTTPStatus, RequestID: o.RequestID,
	}
	if r.State == "" {
		r.State = "unknown"
	}
	if !o.StartedAt.IsZero() {
		t := o.StartedAt.UTC()
		r.StartedAt = &t
	}
	if !o.FinishedAt.IsZero() {
		t := o.FinishedAt.UTC()
		r.FinishedAt = &t
	}
	if o.Error != nil && o.Result != bulk.ResultOK {
		r.Error = &recordError{Class: o.Error.Class, Code: o.Error.Code, Message: o.Error.Message}
	}
	return r
}

func (a *app) reportCommand() *cobra.Command {
	var o reportOptions
	cmd := &cobra.Command{
		Use:   "report --name RUN",
		Short: "Print a run's audit record: one row per subject and provider",
		Long: `report prints what the run's journal holds: for each subject at each
provider the target, the action, the state the provider reported, the
result (ok, failed, unsupported, or pending while the run is worked), the
HTTP attempts, when it finished, and for a failure the error's class, code
and message. It opens the database read-only and creates nothing, so any
machine sharing it can report any run, while it is worked too.

In JSON (--format json) it is an array of objects with the keys subject,
provider, target, action, provider_action, state, result, attempts,
attempts_lower_bound (true when a process died during an attempt, so more
requests may have been sent than counted), job_attempts, http_status,
request_id, started_at, finished_at and error ({class, code, message}, or
null).

In CSV (--format csv), a cell that begins with =, +, -, @, a tab or a
carriage return is prefixed with ' so that a spreadsheet shows it as text
instead of running it as a formula (CWE-1236: a subject key or a
provider's message can be written by someone else). A program reading the
CSV drops that one leading ' from such cells. In the table, control
characters are shown escaped (\x1b), never sent to the terminal.

--output FILE writes the report to FILE, created readable by its owner
only (0600): it holds customers' IDs.`,
		Example: `  restrict report --name restrict-3f2a9c1b0d4e
  restrict report --name sanctions-proof --format json --output proof.json
  restrict report --name restrict-3f2a9c1b0d4e --result failed --format csv`,
		Args: cobra.NoArgs,
		RunE: a.runE(func(cmd *cobra.Command) error { return a.report(cmd.Context(), o) }),
	}
	cmd.Flags().StringVar(&o.name, "name", "", "the run (required; \"restrict runs\" lists them)")
	addDBFlag(cmd, &o.db)
	addFormatFlag(cmd, &o.format, "the report's format")
	cmd.Flags().StringVar(&o.provider, "provider", "", "only this provider's rows: "+strings.Join(fleet.Names(), ", "))
	cmd.Flags().StringVar(&o.result, "result", "", "only rows with this result: ok, failed, unsupported or pending")
	cmd.Flags().StringVarP(&o.output, "output", "o", "", "write to this file (created 0600) instead of stdout")
	_ = cmd.MarkFlagRequired("name")
	_ = cmd.RegisterFlagCompletionFunc("provider", cobra.FixedCompletions(fleet.Names(), cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("result", cobra.FixedCompletions([]string{"ok", "failed", "unsupported", "pending"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

type reportOptions struct {
	name, db, format, provider, result, output string
}

func (a *app) report(ctx context.Context, o reportOptions) error {
	if err := checkFormat(o.format); err != nil {
		return err
	}
	f := bulk.Filter{Run: o.name, Provider: o.provider, Result: bulk.Result(o.result)}
	switch f.Result {
	case "", bulk.ResultOK, bulk.ResultFailed, bulk.ResultUnsupported, bulk.ResultPending:
	default:
		return usagef("--result %q: want ok, failed, unsupported or pending", o.result)
	}
	if _, ok := fleet.Lookup(o.provider); o.provider != "" && !ok {
		return usagef("--provider %q: unknown provider; the providers are %s", o.provider, strings.Join(fleet.Names(), ", "))
	}
	r, dsn, err := a.openReader(ctx, o.db)
	if err != nil {
		return err
	}
	defer r.Close()
	if _, err := r.Run(ctx, o.name); err != nil {
		if errors.Is(err, bulk.ErrRunNotFound) {
			return usagef("no run named %q in %s (\"restrict runs\" lists them)", o.name, bulk.RedactDSN(dsn))
		}
		return err
	}
	w, closeOutput, err := a.output(o.output)
	if err != nil {
		return err
	}
	if err := writeReport(o.format, w, r.Outcomes(ctx, f)); err != nil {
		_ = closeOutput()
		return err
	}
	return closeOutput()
}

// writeReport writes outcomes in a format, streaming: a run of any size is
// never held in memory.
func writeReport(format string, w io.Writer, outcomes iter.Seq2[bulk.Outcome, error]) error {
	switch format {
	case "json":
		// One object a line, inside one array.
		if _, err := io.WriteString(w, "["); err != nil {
			return err
		}
		n := 0
		for o, err := range outcomes {
			if err != nil {
				return err
			}
			b, err := json.Marshal(recordOf(o))
			if err != nil {
				return err
			}
			sep := ",\n"
			if n == 0 {
				sep = "\n"
			}
			n++
			if _, err := io.WriteString(w, sep+"  "+string(jsonSafe(b))); err != nil {
				return err
			}
		}
		end := "]\n"
		if n > 0 {
			end = "\n]\n"
		}
		_, err := io.WriteString(w, end)
		return err
	case "csv":
		cw := csv.NewWriter(w)
		_ = cw.Write([]string{"subject", "provider", "target", "action", "provider_action", "state", "result", "attempts", "attempts_lower_bound", "job_attempts",
			"http_status", "request_id", "started_at", "finished_at", "error_class", "error_code", "error_message"})
		for o, err := range outcomes {
			if err != nil {
				return err
			}
			r := recordOf(o)
			var ec, ecode, emsg string
			if r.Error != nil {
				ec, ecode, emsg = r.Error.Class, r.Error.Code, r.Error.Message
			}
			row := []string{r.Subject, r.Provider, r.Target, r.Action, r.ProviderAction, r.State, r.Result,
				strconv.Itoa(r.Attempts), strconv.FormatBool(r.AttemptsAtLeast), strconv.Itoa(r.JobAttempts), strconv.Itoa(r.HTTPStatus), r.RequestID,
				timeText(r.StartedAt), timeText(r.FinishedAt), ec, ecode, emsg}
			for i := range row {
				row[i] = csvCell(row[i])
			}
			if err := cw.Write(row); err != nil {
				return err
			}
		}
		cw.Flush()
		return cw.Error()
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SUBJECT\tPROVIDER\tTARGET\tRESULT\tSTATE\tATTEMPTS\tFINISHED\tERROR")
	for o, err := range outcomes {
		if err != nil {
			return err
		}
		r := recordOf(o)
		var e string
		if r.Error != nil {
			e = r.Error.Class
			if r.Error.Code != "" {
				e += " " + r.Error.Code
			}
			if r.Error.Message != "" {
				e += ": " + r.Error.Message
			}
		}
		attempts := strconv.Itoa(r.Attempts)
		if r.AttemptsAtLeast {
			attempts = "≥" + attempts
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", terminalSafe(r.Subject), r.Provider, terminalSafe(r.Target), r.Result, terminalSafe(r.State),
			attempts, timeText(r.FinishedAt), terminalSafe(e))
	}
	return tw.Flush()
}

func timeText(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format(time.RFC3339Nano)
}
