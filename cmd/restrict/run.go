package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/bulk"
	"github.com/restrictkit/restrict/internal/fleet"
	"github.com/restrictkit/restrict/internal/subjects"
)

// stopWait bounds how long an interrupted run lets its calls in flight
// finish before it cancels them; cancelled jobs are taken again when the
// run is resumed.
const stopWait = 10 * time.Second

type runOptions struct {
	engineFlags
	action, subjects, name, reason, format string
	noWork, noProgress, dryRun, yes        bool
}

func (a *app) runCommand() *cobra.Command {
	var o runOptions
	cmd := &cobra.Command{
		Use:   "run --action restrict|lift|status --subjects FILE",
		Short: "Submit a run from a CSV of subjects and work it to the end",
		Long: `run checks the subjects file, submits the run and works it to the end with
a progress display per provider, then prints a summary and the command
that prints the full report.

The subjects file is CSV with a header "subject,<provider>,...": the first
column is your own key for the customer, each other column a provider
package name (any of cryptomus, customerv2, kpayment, purse, walletplatform,
in any order) with the customer's ID there, empty where they have none. A
bad file is refused with the line and column of every problem, before
anything is submitted; so is a provider column whose RESTRICT_<PROVIDER>_*
credentials are not set. The file is read once: what is submitted is
exactly what was checked.

Running the same command again resumes an unfinished run and never sends
a finished one's calls twice: the default name is the action and a hash
of the file, and once that run has finished, the same command starts a
new run (the name with -2, -3, ... added) that calls every provider
again, and says which run it follows. An explicit --name of a finished
run is refused (exit 2); a run of that name with another action, reason
or subjects is refused too, and nothing is added.

A restrict or lift run asks "Restrict N subjects at P providers? [y/N]"
on a terminal; off a terminal (a script, CI) it needs --yes, or it exits
2 and sends nothing. A status run never asks. --dry-run checks the file
and every credential, prints the plan, and creates and sends nothing.

The first Ctrl-C stops taking jobs, lets calls in flight finish (up to 10s)
and exits 130; run the same command to resume. A second Ctrl-C exits at
once. Nothing recorded is lost either way. If the database becomes
unavailable, the run waits for it (the display says since when) for up to
--db-timeout, then exits 3; the same command resumes.

Jobs that a killed process had in flight are taken again once
--rescue-after has passed since they started (default: job timeout +
30s); the display says when.

` + metricsHelp,
		Example: `  restrict run --action restrict --subjects sanctions.csv --dry-run
  restrict run --action restrict --subjects sanctions.csv --rate purse=50 --yes
  restrict run --action status --subjects sanctions.csv --name sanctions-proof --format json
  RESTRICT_DB=postgres://ops@db/restrict restrict run --action lift --subjects cleared.csv --no-work --yes`,
		Args: cobra.NoArgs,
		RunE: a.runE(func(cmd *cobra.Command) error { return a.run(cmd.Context(), o) }),
	}
	cmd.Flags().StringVar(&o.action, "action", "", "restrict, lift or status (required)")
	cmd.Flags().StringVar(&o.subjects, "subjects", "", "the subjects CSV (required)")
	cmd.Flags().StringVar(&o.name, "name", "", "the run's name (default: the action and a hash of the file)")
	cmd.Flags().StringVar(&o.reason, "reason", "", "why, sent to providers that take a reason and logged")
	cmd.Flags().BoolVar(&o.noWork, "no-work", false, "submit only, and leave the work to \"restrict worker\" processes")
	cmd.Flags().BoolVar(&o.noProgress, "no-progress", false, "no progress display")
	cmd.Flags().BoolVar(&o.dryRun, "dry-run", false, "check the file and the credentials and print the plan; create and send nothing")
	cmd.Flags().BoolVarP(&o.yes, "yes", "y", false, "do not ask for confirmation (needed off a terminal for restrict and lift)")
	addFormatFlag(cmd, &o.format, "the summary's format")
	o.engineFlags.add(cmd)
	_ = cmd.MarkFlagRequired("action")
	_ = cmd.MarkFlagRequired("subjects")
	_ = cmd.RegisterFlagCompletionFunc("action", cobra.FixedCompletions([]string{"restrict", "lift", "status"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.MarkFlagFilename("subjects", "csv")
	return cmd
}

// prepared is a run checked and planned, before anything is written.
type prepared struct {
	action  restrict.Op
	sf      *subjects.File
	clients map[string]fleet.Client
	limits  map[string]bulk.Limits
	plan    *subjects.Plan
}

// run prepares, confirms, submits, works and summarizes a run. The
// database work outlives an interrupt: a submission or a stop in
// progress is finished, so that what is recorded is consistent.
func (a *app) run(ctx context.Context, o runOptions) error {
	db := context.WithoutCancel(ctx)
	if err := a.checkMetricsAddr(o.metricsAddr); err != nil {
		return err
	}
	pr, err := a.prepare(db, o)
	if err != nil {
		return err
	}
	if o.dryRun {
		return a.printPlan(pr.plan, o.format)
	}
	if err := a.confirm(ctx, pr.plan, o.yes); err != nil {
		return err
	}
	tel, err := a.startTelemetry(db, o.metricsAddr)
	if err != nil {
		return err
	}
	// Deferred first, so that it runs last: the run's final outcomes are
	// flushed after the engine has stopped.
	defer tel.shutdown(a)
	e, dsn, err := o.open(db, a, tel)
	if err != nil {
		return err
	}
	defer e.Close()
	tel.ready(e)
	if err := a.submit(ctx, e, pr, o.reason); err != nil {
		return err
	}
	reportHint := fmt.Sprintf("restrict report --name %s --db %s", shellQuote(pr.plan.Run), shellQuote(bulk.RedactDSN(dsn)))
	if o.noWork {
		fmt.Fprintf(a.stdout, "submitted run %s; work it with \"restrict worker --db %s\", then:\n  %s\n", pr.plan.Run, shellQuote(bulk.RedactDSN(dsn)), reportHint)
		return nil
	}
	start := time.Now()
	p, werr := a.workRun(ctx, e, pr, o)
	if p == nil {
		return werr
	}
	return a.summarize(pr, p, time.Since(start), werr, o.format, reportHint)
}

// prepare checks the flags, the subjects file and every provider's
// credentials, and plans the run, reading the database without writing
// it: everything that can be refused is refused here.
func (a *app) prepare(ctx context.Context, o runOptions) (*prepared, error) {
	pr := &prepared{action: restrict.Op(o.action)}
	switch pr.action {
	case restrict.OpRestrict, restrict.OpLift, restrict.OpStatus:
	default:
		return nil, usagef("--action %q: want restrict, lift or status", o.action)
	}
	if err := checkFormat(o.format); err != nil {
		return nil, err
	}
	var err error
	if pr.limits, err = o.limits.parse(); err != nil {
		return nil, err
	}
	if o.name != "" {
		if err := bulk.CheckKey(o.name); err != nil {
			return nil, usagef("--name: %v", err)
		}
	}
	if pr.sf, err = readSubjects(o.subjects); err != nil {
		return nil, err
	}
	sf := pr.sf
	for _, w := range sf.Warnings() {
		fmt.Fprintf(a.stderr, "restrict: warning: %s\n", terminalSafe(w))
	}
	pr.clients, err = a.clients(sf.Providers, func(name string) string {
		if col := sf.Column(name); col > 0 {
			return fmt.Sprintf("%s:1:%d: column %q", sf.Name, col, name)
		}
		return name
	})
	if err != nil {
		return nil, err
	}
	if pr.plan, err = a.plan(ctx, o, pr.action, sf); err != nil {
		return nil, err
	}
	return pr, nil
}

// submit submits the planned run, turning bulk's refusals into the
// command's.
func (a *app) submit(ctx context.Context, e *bulk.Engine, pr *prepared, reason string) error {
	name := pr.plan.Run
	run := bulk.Run{Name: name, Op: pr.action, Reason: reason, Providers: pr.sf.Providers, SubmittedBy: submitter()}
	sub, err := e.Submit(ctx, run, pr.sf.Stream())
	var finished *bulk.RunFinishedError
	var conflict *bulk.ConflictError
	switch {
	case errors.As(err, &finished):
		return finishedRefusal(name, finished.FinishedAt)
	case errors.As(err, &conflict):
		return usagef("%v\nnothing was added; give the run another --name", err)
	case err != nil && ctx.Err() != nil:
		return fmt.Errorf("%w: submitting run %s: %v; run the same command to resume", errInterrupted, name, err)
	case err != nil:
		return fmt.Errorf("submitting run %s: %w; run the same command to resume", name, err)
	}
	fmt.Fprintf(a.stderr, "run %s: %s, %d subjects, %d jobs added, %d there already\n", name, pr.action, sub.Subjects, sub.Jobs, sub.Existing)
	if f := pr.plan.Follows; f != nil {
		fmt.Fprintf(a.stderr, "run %s follows run %s, which finished at %s: every provider is called again\n",
			name, f.Name, f.FinishedAt.UTC().Format(time.RFC3339))
	}
	a.logger.Info("submitted", "run", name, "action", string(pr.action), "subjects", sub.Subjects, "jobs_added", sub.Jobs, "jobs_existing", sub.Existing)
	return nil
}

// workRun works the run in this process until it is finished or the
// work is given up (an interrupt, the database away too long), then stops
// the workers gracefully. It returns the last progress read (nil if none
// could be) and why the work ended early.
func (a *app) workRun(ctx context.Context, e *bulk.Engine, pr *prepared, o runOptions) (*bulk.Progress, error) {
	db := context.WithoutCancel(ctx)
	if err := register(e, pr.clients, pr.limits); err != nil {
		return nil, err
	}
	if err := e.Start(db); err != nil {
		return nil, fmt.Errorf("starting the workers: %w", err)
	}
	a.noteLimits(db, e, pr.limits)
	a.logger.Info("working", "run", pr.plan.Run, "providers", strings.Join(pr.sf.Providers, ","))
	p, werr := a.work(ctx, e, pr.plan.Run, o)
	wait := stopWait
	if errors.Is(werr, errDatabaseGone) {
		// No call in flight can be journaled: letting them finish would
		// only delay the exit. Their jobs are taken again on resume.
		wait = 0
	}
	stopCtx, cancel := context.WithTimeout(db, wait)
	defer cancel()
	if err := e.Stop(stopCtx); err != nil {
		a.logger.Warn("stopping the workers", "error", err)
	}
	if p != nil && (werr == nil || errors.Is(werr, errInterrupted)) {
		// The last word: what the database holds now that the calls in
		// flight have ended.
		if last, err := e.Progress(db, pr.plan.Run); err == nil {
			p = last
		}
	}
	return p, werr
}

// summarize prints the summary and the report command, and turns the
// run's end into the command's: interrupted, failed outcomes, or not
// completed.
func (a *app) summarize(pr *prepared, p *bulk.Progress, took time.Duration, werr error, format, reportHint string) error {
	name := pr.plan.Run
	if err := a.printSummary(name, pr.action, p, took, format); err != nil {
		return err
	}
	hint := a.stdout
	if format != "table" {
		hint = a.stderr // stdout is the summary's data
	}
	fmt.Fprintf(hint, "full report: %s\n", reportHint)
	switch {
	case werr != nil && errors.Is(werr, errInterrupted):
		return fmt.Errorf("%w: run %s is %d of %d done; run the same command to resume", errInterrupted, name, p.All.Done(), p.All.Total)
	case werr != nil:
		return werr
	case p.All.Failed > 0:
		return failedError{fmt.Sprintf("run %s: %d of %d outcomes failed; see the report", name, p.All.Failed, p.All.Total)}
	}
	return nil
}

// finishedRefusal is the refusal of a finished run's name.
func finishedRefusal(name string, at time.Time) error {
	return usagef("run %q finished at %s; nothing was sent. \"restrict report --name %s\" prints its record; to call the providers again, run without --name or choose a new one",
		name, at.UTC().Format(time.RFC3339), shellQuote(name))
}

// plan plans the run (internal/subjects), reading the database without
// writing it; a new database has no runs.
func (a *app) plan(ctx context.Context, o runOptions, action restrict.Op, sf *subjects.File) (*subjects.Plan, error) {
	dsn := a.dsn(o.db)
	if err := checkDSN(dsn); err != nil {
		return nil, err
	}
	var runs subjects.Runs
	r, err := bulk.OpenReader(ctx, dsn, bulk.Config{})
	switch {
	case errors.Is(err, bulk.ErrNoDatabase):
	case err != nil:
		return nil, fmt.Errorf("opening the database %s: %w", bulk.RedactDSN(dsn), err)
	default:
		defer r.Close()
		runs = r
	}
	pl, err := subjects.NewPlan(ctx, runs, action, o.name, o.reason, sf)
	var finished *subjects.FinishedError
	if errors.As(err, &finished) {
		return nil, finishedRefusal(finished.Run, finished.FinishedAt)
	}
	return pl, err
}

// confirm asks a person at a terminal before a run that changes
// customers' state; off a terminal it needs --yes.
func (a *app) confirm(ctx context.Context, pl *subjects.Plan, yes bool) error {
	if pl.Action == restrict.OpStatus || yes {
		return nil
	}
	providers, jobs := 0, 0
	for _, n := range pl.Jobs {
		if n > 0 {
			providers++
			jobs += n
		}
	}
	verb := strings.ToUpper(string(pl.Action[:1])) + string(pl.Action[1:])
	if !a.io.inTTY {
		return usagef("a %s run changes customers' state at the providers (%d subjects, %d calls): confirm it with --yes, or run it at a terminal to be asked; nothing was sent",
			pl.Action, pl.Subjects, jobs)
	}
	q := fmt.Sprintf("%s %d subjects at %d providers?", verb, pl.Subjects, providers)
	if pl.Resumes != nil {
		q = fmt.Sprintf("%s %d subjects at %d providers (resuming run %s)?", verb, pl.Subjects, providers, pl.Resumes.Name)
	}
	fmt.Fprintf(a.stderr, "%s [y/N] ", q)
	answer := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(a.io.in).ReadString('\n')
		answer <- strings.ToLower(strings.TrimSpace(line))
	}()
	select {
	case <-ctx.Done():
		fmt.Fprintln(a.stderr)
		return fmt.Errorf("%w: nothing was sent", errInterrupted)
	case got := <-answer:
		if got == "y" || got == "yes" {
			return nil
		}
		return usagef("not confirmed; nothing was sent")
	}
}
