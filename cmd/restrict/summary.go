package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/bulk"
	"github.com/restrictkit/restrict/internal/export"
	"github.com/restrictkit/restrict/internal/subjects"
)

// printPlan writes what a dry run found: the run it would submit or
// resume, and the jobs per provider.
func (a *app) printPlan(pl *subjects.Plan, format string) error {
	providers := make([]string, 0, len(pl.Jobs))
	total := 0
	for p, n := range pl.Jobs {
		providers = append(providers, p)
		total += n
	}
	slices.Sort(providers)
	switch format {
	case "json":
		return writeJSON(a.stdout, struct {
			DryRun bool `json:"dry_run"`
			*subjects.Plan
		}{true, pl})
	case "csv":
		cw := csv.NewWriter(a.stdout)
		_ = cw.Write([]string{"run", "action", "provider", "jobs"})
		for _, p := range providers {
			_ = cw.Write([]string{csvCell(pl.Run), string(pl.Action), p, strconv.Itoa(pl.Jobs[p])})
		}
		cw.Flush()
		return cw.Error()
	}
	what := "a new run"
	switch {
	case pl.Resumes != nil:
		what = fmt.Sprintf("resuming run %s", terminalSafe(pl.Resumes.Name))
	case pl.Follows != nil:
		what = fmt.Sprintf("a new run after %s, which finished at %s", terminalSafe(pl.Follows.Name), pl.Follows.FinishedAt.UTC().Format(time.RFC3339))
	}
	fmt.Fprintf(a.stdout, "dry run: %s %s (%s): %d subjects, %d calls\n", pl.Action, terminalSafe(pl.Run), what, pl.Subjects, total)
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PROVIDER\tJOBS\tCALL")
	for _, p := range providers {
		fmt.Fprintf(tw, "%s\t%d\t%s\n", p, pl.Jobs[p], callOf(pl.Action))
	}
	_ = tw.Flush()
	_, err := fmt.Fprintln(a.stdout, "nothing was written or sent; the credentials of every provider column are set and well formed")
	return err
}

// callOf names the contract's call a run's jobs make.
func callOf(a restrict.Op) string {
	switch a {
	case restrict.OpRestrict:
		return "Restrict (the provider's block, suspend or freeze)"
	case restrict.OpLift:
		return "Lift (where the provider has one; else unsupported)"
	}
	return "Status (where the provider can tell; else unsupported)"
}

// summary is a finished (or interrupted) run's counts, as --format json
// prints them.
type summary struct {
	Run       string        `json:"run"`
	Action    restrict.Op   `json:"action"`
	Seconds   float64       `json:"seconds"`
	All       bulk.Counts   `json:"all"`
	Providers []bulk.Counts `json:"providers"`
}

// printSummary writes the outcomes per provider and result; a status run's
// also by the state the providers reported, which is its proof.
func (a *app) printSummary(name string, action restrict.Op, p *bulk.Progress, took time.Duration, format string) error {
	all := p.All
	all.Provider = "all"
	rows := append(append([]bulk.Counts(nil), p.Providers...), all)
	states := action == restrict.OpStatus
	switch format {
	case "json":
		return writeJSON(a.stdout, summary{Run: name, Action: action, Seconds: took.Seconds(), All: p.All, Providers: p.Providers})
	case "csv":
		cw := csv.NewWriter(a.stdout)
		_ = cw.Write([]string{"provider", "ok", "failed", "unsupported", "pending", "total", "restricted", "active", "unknown"})
		for _, c := range rows {
			_ = cw.Write([]string{c.Provider, n(c.OK), n(c.Failed), n(c.Unsupported), n(c.Pending), n(c.Total), n(c.Restricted), n(c.Active), n(c.Unknown)})
		}
		cw.Flush()
		return cw.Error()
	}
	fmt.Fprintf(a.stdout, "\nrun %s: %s, %d jobs, %s\n", terminalSafe(name), action, p.All.Total, took.Round(100*time.Millisecond))
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	head := "PROVIDER\tOK\tFAILED\tUNSUPPORTED\tPENDING\tTOTAL"
	if states {
		head += "\tRESTRICTED\tACTIVE\tUNKNOWN"
	}
	fmt.Fprintln(tw, head)
	for _, c := range rows {
		line := fmt.Sprintf("%s\t%d\t%d\t%d\t%d\t%d", c.Provider, c.OK, c.Failed, c.Unsupported, c.Pending, c.Total)
		if states {
			line += fmt.Sprintf("\t%d\t%d\t%d", c.Restricted, c.Active, c.Unknown)
		}
		fmt.Fprintln(tw, line)
	}
	return tw.Flush()
}

func n(v int64) string { return strconv.FormatInt(v, 10) }

// writeJSON writes v indented, with no raw control character a terminal
// would act on.
func writeJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(export.JSONSafe(b), '\n'))
	return err
}
