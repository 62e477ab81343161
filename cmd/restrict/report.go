package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/restrictkit/restrict/bulk"
)

// record is one line of a report: what happened for one subject at one
// provider. Its JSON keys are the report's documented format.
type record struct {
	Subject        string       `json:"subject"`
	Provider       string       `json:"provider"`
	Target         string       `json:"target"`
	Action         string       `json:"action"`
	ProviderAction string       `json:"provider_action"`
	State          string       `json:"state"`
	Result         string       `json:"result"`
	Attempts       int          `json:"attempts"`
	JobAttempts    int          `json:"job_attempts"`
	HTTPStatus     int          `json:"http_status"`
	RequestID      string       `json:"request_id"`
	StartedAt      *time.Time   `json:"started_at"`
	FinishedAt     *time.Time   `json:"finished_at"`
	Error          *recordError `json:"error"`
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
		Attempts: o.HTTPAttempts, JobAttempts: o.JobAttempts, HTTPStatus: o.HTTPStatus, RequestID: o.RequestID,
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
	var name, db, format, provider, result string
	cmd := &cobra.Command{
		Use:   "report --name RUN",
		Short: "Print a run's audit record: one row per subject and provider",
		Long: `report prints what the run's journal holds: for each subject at each
provider the target, the action, the state the provider reported, the
result (ok, failed, unsupported, or pending while the run is worked), the
HTTP attempts, when it finished, and for a failure the error's class, code
and message. It reads the database only, so any machine sharing it can
report any run.

In JSON (--format json) it is an array of objects with the keys subject,
provider, target, action, provider_action, state, result, attempts,
job_attempts, http_status, request_id, started_at, finished_at and error
({class, code, message}, or null).`,
		Example: `  restrict report --name restrict-3f2a9c1b0d4e
  restrict report --name sanctions-proof --format json > proof.json
  restrict report --name restrict-3f2a9c1b0d4e --result failed --format csv`,
		Args: cobra.NoArgs,
		RunE: a.runE(func(cmd *cobra.Command) error {
			return a.report(cmd.Context(), name, db, format, bulk.Filter{Run: name, Provider: provider, Result: bulk.Result(result)})
		}),
	}
	cmd.Flags().StringVar(&name, "name", "", "the run (required; \"restrict runs\" lists them)")
	cmd.Flags().StringVar(&db, "db", "", "the database (default: RESTRICT_DB, or file:restrict.db)")
	cmd.Flags().StringVar(&format, "format", "table", "table, csv or json")
	cmd.Flags().StringVar(&provider, "provider", "", "only this provider's rows")
	cmd.Flags().StringVar(&result, "result", "", "only rows with this result: ok, failed, unsupported or pending")
	_ = cmd.MarkFlagRequired("name")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions([]string{"table", "csv", "json"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("result", cobra.FixedCompletions([]string{"ok", "failed", "unsupported", "pending"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func (a *app) report(ctx context.Context, name, db, format string, f bulk.Filter) error {
	write, err := reportWriter(format, a.stdout)
	if err != nil {
		return err
	}
	switch f.Result {
	case "", bulk.ResultOK, bulk.ResultFailed, bulk.ResultUnsupported, bulk.ResultPending:
	default:
		return usagef("--result %q: want ok, failed, unsupported or pending", f.Result)
	}
	dsn := a.dsn(db)
	e, err := bulk.Open(ctx, dsn, bulk.Config{Logger: a.logger})
	if err != nil {
		return fmt.Errorf("opening the database %s: %w", printableDSN(dsn), err)
	}
	defer e.Close()
	if _, err := e.Run(ctx, name); err != nil {
		if errors.Is(err, bulk.ErrRunNotFound) {
			return usagef("no run named %q in %s (\"restrict runs\" lists them)", name, printableDSN(dsn))
		}
		return err
	}
	return write(e.Outcomes(ctx, f))
}

// reportWriter returns the writer of a report format.
func reportWriter(format string, w io.Writer) (func(outcomes func(func(bulk.Outcome, error) bool)) error, error) {
	switch format {
	case "json":
		return func(outcomes func(func(bulk.Outcome, error) bool)) error {
			// Streamed, one object a line, so a run of any size is
			// never held in memory.
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
				if _, err := io.WriteString(w, sep+"  "+string(b)); err != nil {
					return err
				}
			}
			if n > 0 {
				_, err := io.WriteString(w, "\n]\n")
				return err
			}
			_, err := io.WriteString(w, "]\n")
			return err
		}, nil
	case "csv":
		return func(outcomes func(func(bulk.Outcome, error) bool)) error {
			cw := csv.NewWriter(w)
			_ = cw.Write([]string{"subject", "provider", "target", "action", "provider_action", "state", "result", "attempts", "job_attempts",
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
				_ = cw.Write([]string{r.Subject, r.Provider, r.Target, r.Action, r.ProviderAction, r.State, r.Result,
					strconv.Itoa(r.Attempts), strconv.Itoa(r.JobAttempts), strconv.Itoa(r.HTTPStatus), r.RequestID,
					timeText(r.StartedAt), timeText(r.FinishedAt), ec, ecode, emsg})
			}
			cw.Flush()
			return cw.Error()
		}, nil
	case "table", "":
		return func(outcomes func(func(bulk.Outcome, error) bool)) error {
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
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", r.Subject, r.Provider, r.Target, r.Result, r.State, r.Attempts, timeText(r.FinishedAt), e)
			}
			return tw.Flush()
		}, nil
	}
	return nil, usagef("--format %q: want table, csv or json", format)
}

func timeText(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format(time.RFC3339Nano)
}

func (a *app) runsCommand() *cobra.Command {
	var db string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "runs",
		Short: "List the runs in a database with their counts",
		Example: `  restrict runs
  restrict runs --db postgres://ops@db.internal/restrict --json`,
		Args: cobra.NoArgs,
		RunE: a.runE(func(cmd *cobra.Command) error { return a.runs(cmd.Context(), db, asJSON) }),
	}
	cmd.Flags().StringVar(&db, "db", "", "the database (default: RESTRICT_DB, or file:restrict.db)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON: an array of runs with their counts")
	return cmd
}

func (a *app) runs(ctx context.Context, db string, asJSON bool) error {
	dsn := a.dsn(db)
	e, err := bulk.Open(ctx, dsn, bulk.Config{Logger: a.logger})
	if err != nil {
		return fmt.Errorf("opening the database %s: %w", printableDSN(dsn), err)
	}
	defer e.Close()
	runs, err := e.Runs(ctx)
	if err != nil {
		return err
	}
	type runRecord struct {
		bulk.RunInfo
		Counts bulk.Counts `json:"counts"`
	}
	out := make([]runRecord, 0, len(runs))
	for _, r := range runs {
		p, err := e.Progress(ctx, r.Name)
		if err != nil {
			return err
		}
		out = append(out, runRecord{RunInfo: r, Counts: p.All})
	}
	if asJSON {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tACTION\tSUBJECTS\tJOBS\tOK\tFAILED\tUNSUPPORTED\tPENDING\tCREATED")
	for _, r := range out {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%s\n", r.Name, r.Action, r.Subjects, r.Jobs,
			r.Counts.OK, r.Counts.Failed, r.Counts.Unsupported, r.Counts.Pending, r.CreatedAt.UTC().Format(time.RFC3339))
	}
	return tw.Flush()
}
