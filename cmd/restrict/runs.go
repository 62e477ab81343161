package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/restrictkit/restrict/bulk"
)

func (a *app) runsCommand() *cobra.Command {
	var db, format string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "runs",
		Short: "List the runs in a database with their counts",
		Long: `runs lists every run in the database, oldest first, with its action,
subjects, jobs and results, and when it was created and finished. It opens
the database read-only and creates nothing.`,
		Example: `  restrict runs
  RESTRICT_DB=postgres://ops@db.internal/restrict restrict runs --format json`,
		Args: cobra.NoArgs,
		RunE: a.runE(func(cmd *cobra.Command) error {
			if asJSON {
				format = "json"
			}
			return a.runs(cmd.Context(), db, format)
		}),
	}
	addDBFlag(cmd, &db)
	addFormatFlag(cmd, &format, "the list's format")
	cmd.Flags().BoolVar(&asJSON, "json", false, "the same as --format json")
	_ = cmd.Flags().MarkDeprecated("json", "use --format json")
	return cmd
}

// runRecord is a line of "restrict runs".
type runRecord struct {
	bulk.RunInfo
	Counts bulk.Counts `json:"counts"`
}

func (a *app) runs(ctx context.Context, db, format string) error {
	if err := checkFormat(format); err != nil {
		return err
	}
	r, _, err := a.openReader(ctx, db)
	if err != nil {
		return err
	}
	defer r.Close()
	runs, err := r.Runs(ctx)
	if err != nil {
		return err
	}
	out := make([]runRecord, 0, len(runs))
	for _, ri := range runs {
		p, err := r.Progress(ctx, ri.Name)
		if err != nil {
			return err
		}
		out = append(out, runRecord{RunInfo: ri, Counts: p.All})
	}
	switch format {
	case "json":
		return writeJSON(a.stdout, out)
	case "csv":
		cw := csv.NewWriter(a.stdout)
		_ = cw.Write([]string{"name", "action", "reason", "subjects", "jobs", "ok", "failed", "unsupported", "pending", "created_at", "finished_at"})
		for _, r := range out {
			_ = cw.Write([]string{csvCell(r.Name), string(r.Op), csvCell(r.Reason), n(r.Subjects), n(r.Jobs),
				n(r.Counts.OK), n(r.Counts.Failed), n(r.Counts.Unsupported), n(r.Counts.Pending),
				r.CreatedAt.UTC().Format(time.RFC3339), optionalTime(r.FinishedAt)})
		}
		cw.Flush()
		return cw.Error()
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tACTION\tSUBJECTS\tJOBS\tOK\tFAILED\tUNSUPPORTED\tPENDING\tCREATED\tFINISHED")
	for _, r := range out {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%s\n", terminalSafe(r.Name), r.Op, r.Subjects, r.Jobs,
			r.Counts.OK, r.Counts.Failed, r.Counts.Unsupported, r.Counts.Pending, r.CreatedAt.UTC().Format(time.RFC3339), optionalTime(r.FinishedAt))
	}
	return tw.Flush()
}

func optionalTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
