package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/restrictkit/restrict/bulk"
)

func (a *app) workerCommand() *cobra.Command {
	var f engineFlags
	cmd := &cobra.Command{
		Use:   "worker --db postgres://...",
		Short: "Work the jobs of every run in a database until interrupted",
		Long: `worker works the jobs of every run in the database, at every provider
whose RESTRICT_<PROVIDER>_* credentials are set, until it is interrupted.
Start one on each of several machines sharing a Postgres database: each job
is worked by one of them. Submit runs with "restrict run --no-work" (or
let "restrict run" work alongside), and follow them with "restrict runs".

The rate limits (--rate) count every HTTP request, retries included. On
Postgres they hold for all workers together: give each worker the
provider's whole limit. The first worker started with a --rate writes it
into the database, and the database's rate is the one in force: see and
change it with "restrict limits" while the workers run.

SIGTERM or SIGINT stops it gracefully: it takes no new job, lets the calls
in flight finish (up to 10s) and exits 0, so that systemd and Kubernetes
count a stop as a clean one. A second signal exits at once (130); jobs it
had in flight are taken again after --rescue-after.

SQLite works in one process at a time: a worker on a SQLite database is
the only one.

` + metricsHelp,
		Example: `  restrict worker --db postgres://ops@db.internal/restrict --rate purse=25 --concurrency purse=8
  RESTRICT_METRICS_TOKEN=... restrict worker --db postgres://ops@db.internal/restrict --metrics-addr 10.0.0.5:9464`,
		Args: cobra.NoArgs,
		RunE: a.runE(func(cmd *cobra.Command) error { return a.worker(cmd.Context(), f) }),
	}
	f.add(cmd)
	return cmd
}

func (a *app) worker(ctx context.Context, f engineFlags) error {
	limits, err := f.limits.parse()
	if err != nil {
		return err
	}
	if err := a.checkMetricsAddr(f.metricsAddr); err != nil {
		return err
	}
	names := a.configured()
	if len(names) == 0 {
		return usagef("no provider is configured: set the RESTRICT_<PROVIDER>_* variables of at least one (see \"restrict fakes\" for an example)")
	}
	clients, err := a.clients(names, func(name string) string { return name })
	if err != nil {
		return err
	}
	db := context.WithoutCancel(ctx)
	tel, err := a.startTelemetry(db, f.metricsAddr)
	if err != nil {
		return err
	}
	// Deferred first, so that it runs last: the engine's final outcomes
	// are flushed after it has stopped.
	defer tel.shutdown(a)
	e, dsn, err := f.open(db, a, tel)
	if err != nil {
		return err
	}
	defer e.Close()
	tel.ready(e)
	if err := register(e, clients, limits); err != nil {
		return err
	}
	events, unsubscribe := e.Subscribe(1024)
	defer unsubscribe()
	if err := e.Start(db); err != nil {
		return fmt.Errorf("starting the workers: %w", err)
	}
	a.noteLimits(db, e, limits)
	fmt.Fprintf(a.stderr, "worker: working %s on %s; Ctrl-C to stop\n", strings.Join(names, ", "), bulk.RedactDSN(dsn))
	a.logger.Info("worker started", "providers", strings.Join(names, ","))

	counts := map[bulk.OutcomeResult]int64{}
	tick := time.NewTicker(10 * time.Second)
	defer tick.Stop()
	var worked int64
	for {
		select {
		case ev := <-events:
			if ev.Kind == bulk.EventOutcome {
				counts[ev.Result]++
				worked++
			}
		case <-tick.C:
			if h := e.DatabaseHealth(); !h.OK() {
				fmt.Fprintf(a.stderr, "worker: the database is unavailable since %s (%s); outcomes are held and written when it is back\n",
					h.Since.Format(time.TimeOnly), terminalSafe(h.Err.Error()))
			}
			if worked > 0 {
				fmt.Fprintf(a.stderr, "worker: %d jobs done here (ok %d, failed %d, unsupported %d)\n",
					worked, counts[bulk.ResultOK], counts[bulk.ResultFailed], counts[bulk.ResultUnsupported])
			}
		case <-ctx.Done():
			fmt.Fprintf(a.stderr, "worker: stopping: letting calls in flight finish (up to %s)...\n", stopWait)
			stopCtx, cancel := context.WithTimeout(db, stopWait)
			defer cancel()
			if err := e.Stop(stopCtx); err != nil {
				a.logger.Warn("stopping the workers", "error", err)
			}
			fmt.Fprintf(a.stderr, "worker: stopped after %d jobs (ok %d, failed %d, unsupported %d)\n",
				worked, counts[bulk.ResultOK], counts[bulk.ResultFailed], counts[bulk.ResultUnsupported])
			// Asked to stop, it stopped: a clean exit.
			return nil
		}
	}
}
