package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/restrictkit/restrict/bulk"
	"github.com/restrictkit/restrict/internal/fleet"
)

// stopWait bounds how long an interrupted run lets its calls in flight
// finish before it cancels them; cancelled jobs are taken again when the
// run is resumed.
const stopWait = 10 * time.Second

// engineFlags are the bulk engine's settings an operator may need.
type engineFlags struct {
	db          string
	jobTimeout  time.Duration
	rescueAfter time.Duration
	limits      limitFlags
}

func (f *engineFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.db, "db", "", "the database: file:restrict.db (SQLite, the default) or postgres://...; RESTRICT_DB also sets it")
	cmd.Flags().StringArrayVar(&f.limits.rate, "rate", nil, "a provider's limit in calls per second in this process, PROVIDER=N (repeatable)")
	cmd.Flags().StringArrayVar(&f.limits.concurrency, "concurrency", nil, "a provider's calls at once in this process, PROVIDER=N (repeatable; default 4)")
	cmd.Flags().DurationVar(&f.jobTimeout, "job-timeout", time.Minute, "how long one attempt of a job may take, its rate-limit wait and HTTP retries included")
	cmd.Flags().DurationVar(&f.rescueAfter, "rescue-after", 0, "how long a job of a crashed process stays taken before another takes it (default: job timeout + 30s)")
}

func (f *engineFlags) open(ctx context.Context, a *app) (*bulk.Engine, string, error) {
	dsn := a.dsn(f.db)
	if f.rescueAfter != 0 && f.rescueAfter <= f.jobTimeout {
		return nil, "", usagef("--rescue-after %s must exceed --job-timeout %s, or a job still being worked could be taken twice", f.rescueAfter, f.jobTimeout)
	}
	e, err := bulk.Open(ctx, dsn, bulk.Config{Logger: a.logger, JobTimeout: f.jobTimeout, RescueAfter: f.rescueAfter})
	if err != nil {
		return nil, "", fmt.Errorf("opening the database %s: %w", printableDSN(dsn), err)
	}
	return e, dsn, nil
}

// register gives the engine the providers' clients with their limits.
func register(e *bulk.Engine, clients map[string]fleet.Client, limits map[string]bulk.Limits) error {
	for name, c := range clients {
		if err := e.Register(name, c, limits[name]); err != nil {
			return err
		}
	}
	return nil
}

type runOptions struct {
	engineFlags
	action, subjects, name, reason string
	noWork, noProgress             bool
}

func (a *app) runCommand() *cobra.Command {
	var o runOptions
	cmd := &cobra.Command{
		Use:   "run --action restrict|lift|status --subjects FILE",
		Short: "Submit a run from a CSV of subjects and work it to the end",
		Long: `run checks the subjects file, submits the run (idempotent by name: the
same command again adds nothing twice and resumes the work), and works it
to the end with a progress display per provider, then prints a summary and
the command that prints the full report.

The subjects file is CSV with a header "subject,<provider>,...": the first
column is your own key for the customer, each other column a provider
package name (any of cryptomus, customerv2, kpayment, purse, walletplatform,
in any order) with the customer's ID there, empty where they have none. A
bad file is refused with the line and column of every problem, before
anything is submitted; so is a provider column whose RESTRICT_<PROVIDER>_*
credentials are not set.

The default run name is the action and a hash of the file, so running the
same command on the same file resumes the same run.

The first Ctrl-C stops taking jobs, lets calls in flight finish (up to 10s)
and exits 130; run the same command to resume. A second Ctrl-C exits at
once. Nothing recorded is lost either way.`,
		Example: `  restrict run --action restrict --subjects sanctions.csv --rate purse=50 --concurrency purse=8
  restrict run --action status --subjects sanctions.csv --name sanctions-proof
  restrict run --action lift --subjects cleared.csv --db postgres://ops@db/restrict --no-work`,
		Args: cobra.NoArgs,
		RunE: a.runE(func(cmd *cobra.Command) error { return a.run(cmd.Context(), o) }),
	}
	cmd.Flags().StringVar(&o.action, "action", "", "restrict, lift or status (required)")
	cmd.Flags().StringVar(&o.subjects, "subjects", "", "the subjects CSV (required)")
	cmd.Flags().StringVar(&o.name, "name", "", "the run's name (default: the action and a hash of the file)")
	cmd.Flags().StringVar(&o.reason, "reason", "", "why, sent to providers that take a reason and logged")
	cmd.Flags().BoolVar(&o.noWork, "no-work", false, "submit only, and leave the work to \"restrict worker\" processes")
	cmd.Flags().BoolVar(&o.noProgress, "no-progress", false, "no progress display")
	o.engineFlags.add(cmd)
	_ = cmd.MarkFlagRequired("action")
	_ = cmd.MarkFlagRequired("subjects")
	_ = cmd.RegisterFlagCompletionFunc("action", cobra.FixedCompletions([]string{"restrict", "lift", "status"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.MarkFlagFilename("subjects", "csv")
	return cmd
}

func (a *app) run(ctx context.Context, o runOptions) error {
	action := bulk.Action(o.action)
	switch action {
	case bulk.ActionRestrict, bulk.ActionLift, bulk.ActionStatus:
	default:
		return usagef("--action %q: want restrict, lift or status", o.action)
	}
	limits, err := o.limits.parse()
	if err != nil {
		return err
	}
	sf, err := checkSubjects(o.subjects)
	if err != nil {
		return err
	}
	clients, err := a.clients(sf.providers, func(name string) string {
		for i, p := range sf.providers {
			if p == name {
				return fmt.Sprintf("%s:1:%d: column %q", sf.path, sf.columns[i]+1, name)
			}
		}
		return name
	})
	if err != nil {
		return err
	}
	name := o.name
	if name == "" {
		name = string(action) + "-" + sf.sum[:12]
	}
	if sf.idless > 0 {
		fmt.Fprintf(a.stderr, "restrict: %d subjects have no ID at any provider of the file: nothing to do for them\n", sf.idless)
	}

	// The database work outlives an interrupt: a submission or a stop in
	// progress is finished, so that what is recorded is consistent.
	db := context.WithoutCancel(ctx)
	e, dsn, err := o.open(db, a)
	if err != nil {
		return err
	}
	defer e.Close()
	run := bulk.Run{Name: name, Action: action, Reason: o.reason, Providers: sf.providers}
	sub, err := e.Submit(ctx, run, sf.stream())
	switch {
	case errors.Is(err, bulk.ErrRunMismatch):
		return usagef("a run named %q exists with another action; choose another --name", name)
	case err != nil && ctx.Err() != nil:
		return fmt.Errorf("submitting run %s: %w; run the same command to resume", name, context.Cause(ctx))
	case err != nil:
		return fmt.Errorf("submitting run %s: %w", name, err)
	}
	fmt.Fprintf(a.stderr, "run %s: %s, %d subjects, %d jobs added, %d there already\n", name, action, sub.Subjects, sub.Jobs, sub.Existing)
	reportHint := fmt.Sprintf("restrict report --name %s --db %s", shellQuote(name), shellQuote(printableDSN(dsn)))
	if o.noWork {
		fmt.Fprintf(a.stdout, "submitted run %s; work it with \"restrict worker --db %s\", then:\n  %s\n", name, shellQuote(printableDSN(dsn)), reportHint)
		return nil
	}

	if err := register(e, clients, limits); err != nil {
		return err
	}
	start := time.Now()
	if err := e.Start(db); err != nil {
		return fmt.Errorf("starting the workers: %w", err)
	}
	waitCtx, stopWaiting := context.WithCancel(db)
	defer stopWaiting()
	finished := make(chan error, 1)
	go func() {
		_, err := e.Wait(waitCtx, name)
		finished <- err
	}()

	view := a.progressView(o.noProgress)
	tick := time.NewTicker(view.interval())
	defer tick.Stop()
	show := func() *bulk.Progress {
		p, err := e.Progress(db, name)
		if err != nil {
			a.logger.Warn("reading progress", "error", err)
			return nil
		}
		view.update(p, time.Now())
		return p
	}
	show()
	var interrupted bool
loop:
	for {
		select {
		case err := <-finished:
			if err != nil {
				return fmt.Errorf("waiting for run %s: %w", name, err)
			}
			break loop
		case <-ctx.Done():
			interrupted = true
			break loop
		case <-tick.C:
			show()
		}
	}
	if interrupted {
		fmt.Fprintf(a.stderr, "\nrestrict: interrupted: letting calls in flight finish (up to %s)...\n", stopWait)
	}
	stopCtx, cancel := context.WithTimeout(db, stopWait)
	defer cancel()
	if err := e.Stop(stopCtx); err != nil {
		a.logger.Warn("stopping the workers", "error", err)
	}
	p := show()
	view.finish()
	if p == nil {
		return errors.New("could not read the run's progress")
	}
	printSummary(a.stdout, name, action, p, time.Since(start))
	fmt.Fprintf(a.stdout, "full report: %s\n", reportHint)
	if interrupted {
		return fmt.Errorf("%w: run %s is %d of %d done; run the same command to resume", errInterrupted, name, p.All.Done(), p.All.Total)
	}
	if p.All.Failed > 0 {
		return failedError{fmt.Sprintf("run %s: %d of %d outcomes failed; see the report", name, p.All.Failed, p.All.Total)}
	}
	return nil
}

// printSummary writes the table of outcomes per provider and result.
func printSummary(w io.Writer, name string, action bulk.Action, p *bulk.Progress, took time.Duration) {
	fmt.Fprintf(w, "\nrun %s: %s, %d jobs, %s\n", name, action, p.All.Total, took.Round(100*time.Millisecond))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PROVIDER\tOK\tFAILED\tUNSUPPORTED\tPENDING\tTOTAL")
	for _, c := range append(append([]bulk.Counts(nil), p.Providers...), p.All) {
		prov := c.Provider
		if prov == "" {
			prov = "all"
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\n", prov, c.OK, c.Failed, c.Unsupported, c.Pending, c.Total)
	}
	_ = tw.Flush()
}
