package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/restrictkit/restrict/bulk"
)

func (a *app) limitsCommand() *cobra.Command {
	var db, format string
	cmd := &cobra.Command{
		Use:   "limits",
		Short: "Show the providers' limits every worker keeps to",
		Long: `limits shows each provider's limits as the database holds them: the
rate in requests per second (retries included) and the calls in flight,
shared by every worker process on a Postgres database, with the rate in
force after the provider's 429s and how many workers work the provider.
The first worker started with --rate writes its rate there; change it
with "restrict limits set", and every worker follows within two seconds.`,
		Example: `  restrict limits
  restrict limits set purse=30
  restrict limits set purse=30 --concurrency purse=10 --db postgres://ops@db.internal/restrict`,
		Args: cobra.NoArgs,
		RunE: a.runE(func(cmd *cobra.Command) error { return a.limits(cmd.Context(), db, format) }),
	}
	addDBFlag(cmd, &db)
	addFormatFlag(cmd, &format, "the list's format")
	cmd.AddCommand(a.limitsSetCommand())
	return cmd
}

func (a *app) limits(ctx context.Context, db, format string) error {
	if err := checkFormat(format); err != nil {
		return err
	}
	r, _, err := a.openReader(ctx, db)
	if err != nil {
		return err
	}
	defer r.Close()
	limits, err := r.Limits(ctx)
	if err != nil {
		return err
	}
	switch format {
	case "json":
		if limits == nil {
			limits = []bulk.Limit{}
		}
		return writeJSON(a.stdout, limits)
	case "csv":
		cw := csv.NewWriter(a.stdout)
		_ = cw.Write([]string{"provider", "rate", "in_force", "concurrency", "workers", "updated_at", "updated_by"})
		for _, l := range limits {
			_ = cw.Write([]string{l.Provider, number(l.Rate), number(l.InForce), strconv.Itoa(l.Concurrency), strconv.Itoa(l.Workers),
				l.UpdatedAt.Format(time.RFC3339), csvCell(l.UpdatedBy)})
		}
		cw.Flush()
		return cw.Error()
	}
	if len(limits) == 0 {
		fmt.Fprintln(a.stdout, "No limits in the database: each worker keeps its own --rate until one is set.")
		return nil
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PROVIDER\tRATE\tIN FORCE\tCONCURRENCY\tWORKERS\tUPDATED\tBY")
	for _, l := range limits {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\n", l.Provider, perSecond(l.Rate), perSecond(l.InForce), calls(l.Concurrency),
			l.Workers, l.UpdatedAt.Format(time.RFC3339), terminalSafe(l.UpdatedBy))
	}
	return tw.Flush()
}

func (a *app) limitsSetCommand() *cobra.Command {
	var db string
	var concurrency []string
	cmd := &cobra.Command{
		Use:   "set PROVIDER=N...",
		Short: "Set providers' rates (requests per second; 0: none) for every worker",
		Long: `set writes providers' limits into the database: PROVIDER=N sets the rate,
in requests per second with retries included (0 removes it: each worker
keeps its own --rate, and the next one started with a --rate sets it), and
--concurrency PROVIDER=N the calls in flight across all workers (0: each
worker's own --concurrency only). Every worker follows within two seconds,
and a worker started later with another --rate keeps to these.`,
		Example: `  restrict limits set purse=30 walletplatform=80
  restrict limits set --concurrency purse=10`,
		RunE: a.runE(func(cmd *cobra.Command) error {
			return a.limitsSet(cmd.Context(), db, cmd.Flags().Args(), concurrency)
		}),
	}
	addDBFlag(cmd, &db)
	cmd.Flags().StringArrayVar(&concurrency, "concurrency", nil, "a provider's calls in flight across all workers, PROVIDER=N (repeatable; 0: no shared bound)")
	return cmd
}

// limitArg is one PROVIDER=N of "limits set".
type limitArg struct {
	provider string
	n        float64
}

func parseLimitArgs(what string, args []string, whole bool) ([]limitArg, error) {
	var out []limitArg
	for _, v := range args {
		name, n, err := providerNumber(what, v, whole, true)
		if err != nil {
			return nil, err
		}
		out = append(out, limitArg{name, n})
	}
	return out, nil
}

func (a *app) limitsSet(ctx context.Context, db string, args, concurrency []string) error {
	rates, err := parseLimitArgs("rate", args, false)
	if err != nil {
		return err
	}
	conc, err := parseLimitArgs("--concurrency", concurrency, true)
	if err != nil {
		return err
	}
	if len(rates)+len(conc) == 0 {
		return usagef("nothing to set: give PROVIDER=N (a rate) or --concurrency PROVIDER=N")
	}
	dsn := a.dsn(db)
	if err := checkDSN(dsn); err != nil {
		return err
	}
	e, err := bulk.Open(ctx, dsn, bulk.Config{Logger: a.riverLogger})
	if err != nil {
		return fmt.Errorf("opening the database %s: %w", bulk.RedactDSN(dsn), err)
	}
	defer e.Close()
	for _, r := range rates {
		if err := e.SetRate(ctx, r.provider, r.n, "restrict limits set"); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "%s: rate %s\n", r.provider, perSecond(r.n))
	}
	for _, c := range conc {
		if err := e.SetConcurrency(ctx, c.provider, int(c.n), "restrict limits set"); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "%s: concurrency %s\n", c.provider, calls(int(c.n)))
	}
	fmt.Fprintln(a.stdout, "Every worker follows within two seconds.")
	return nil
}

// noteLimits tells the operator, after the workers started, where the
// database holds another rate than --rate gave: the database's is in
// force.
func (a *app) noteLimits(ctx context.Context, e *bulk.Engine, asked map[string]bulk.Limits) {
	limits, err := e.Limits(ctx)
	if err != nil {
		return
	}
	for _, l := range limits {
		want, ok := asked[l.Provider]
		if !ok || want.Rate <= 0 || l.Rate <= 0 || want.Rate == l.Rate {
			continue
		}
		fmt.Fprintf(a.stderr, "restrict: %s: the database's rate of %s is in force, not --rate %s (set by %s; change it with: restrict limits set %s=%s)\n",
			l.Provider, perSecond(l.Rate), number(want.Rate), terminalSafe(l.UpdatedBy), l.Provider, number(want.Rate))
	}
}

func number(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func perSecond(f float64) string {
	if f <= 0 {
		return "none"
	}
	return strconv.FormatFloat(f, 'f', -1, 64) + "/s"
}

func calls(n int) string {
	if n <= 0 {
		return "each worker's own"
	}
	return strconv.Itoa(n) + " at once"
}
