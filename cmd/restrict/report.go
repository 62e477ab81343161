package main

import (
	"bufio"
	"context"
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
	"github.com/restrictkit/restrict/internal/export"
	"github.com/restrictkit/restrict/internal/fleet"
)

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

In JSON (--format json) it is an array of journal rows in the published
audit schema (docs/audit-record.schema.json, bulk.Outcome's JSON): run,
subject, provider, target, action, result, and where known state,
provider_action, http_status, http_attempts (with
http_attempts_lower_bound true when a process died during an attempt, so
more requests may have been sent than counted), job_attempts, request_id,
started_at, finished_at and error ({class, code, message}).

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
	f := bulk.Filter{Run: o.name, Provider: o.provider, Result: bulk.OutcomeResult(o.result)}
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
	// Buffered: a row is a write, and a write to a pipe or a file is a
	// system call.
	bw := bufio.NewWriterSize(w, 64<<10)
	err = writeReport(o.format, bw, r.Outcomes(ctx, f))
	if err == nil {
		err = bw.Flush()
	}
	if cerr := closeOutput(); err == nil {
		err = cerr
	}
	return err
}

// writeReport writes outcomes in a format, streaming: a run of any size is
// never held in memory.
func writeReport(format string, w io.Writer, outcomes iter.Seq2[bulk.Outcome, error]) error {
	switch format {
	case "json":
		return export.WriteJSON(w, outcomes)
	case "csv":
		return export.WriteCSV(w, outcomes)
	}
	// The table is written a block of rows at a time, each block aligned
	// on its own: a run of any size is never held in memory.
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	rows := 0
	fmt.Fprintln(tw, "SUBJECT\tPROVIDER\tTARGET\tRESULT\tSTATE\tATTEMPTS\tFINISHED\tERROR")
	for o, err := range outcomes {
		if err != nil {
			return err
		}
		var e string
		if o.Error != nil {
			e = o.Error.Class
			if o.Error.Code != "" {
				e += " " + o.Error.Code
			}
			if o.Error.Message != "" {
				e += ": " + o.Error.Message
			}
		}
		attempts := strconv.Itoa(o.HTTPAttempts)
		if o.HTTPAttemptsLowerBound {
			attempts = "≥" + attempts
		}
		state := string(o.State)
		if state == "" && o.Result != bulk.ResultPending {
			state = "unknown"
		}
		if rows++; rows%tableBlock == 0 {
			if err := tw.Flush(); err != nil {
				return err
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", terminalSafe(o.Subject), o.Provider, terminalSafe(o.Target), o.Result, terminalSafe(state),
			attempts, timeText(o.FinishedAt), terminalSafe(e))
	}
	return tw.Flush()
}

// tableBlock is how many rows of a table are aligned together.
const tableBlock = 1000

func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}
