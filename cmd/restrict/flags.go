package main

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/restrictkit/restrict/bulk"
	"github.com/restrictkit/restrict/internal/fleet"
)

// limitFlags are the repeatable --rate and --concurrency flags, PROVIDER=N.
type limitFlags struct {
	rate        []string
	concurrency []string
}

// parse turns the flags into limits per provider, refusing an unknown
// provider or a number that cannot be one.
func (l limitFlags) parse() (map[string]bulk.Limits, error) {
	out := map[string]bulk.Limits{}
	set := func(flag, v string, apply func(*bulk.Limits, float64) error) error {
		name, num, ok := strings.Cut(v, "=")
		if !ok {
			return usagef("--%s %q: want PROVIDER=N, for example --%s purse=50", flag, v, flag)
		}
		name = strings.TrimSpace(name)
		if _, known := fleet.Lookup(name); !known {
			return usagef("--%s %q: unknown provider %q; the providers are %s", flag, v, name, strings.Join(fleet.Names(), ", "))
		}
		n, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
		if err != nil || n <= 0 {
			return usagef("--%s %q: N must be a number above 0", flag, v)
		}
		lim := out[name]
		if err := apply(&lim, n); err != nil {
			return usagef("--%s %q: %v", flag, v, err)
		}
		out[name] = lim
		return nil
	}
	for _, v := range l.rate {
		if err := set("rate", v, func(lim *bulk.Limits, n float64) error { lim.Rate = n; return nil }); err != nil {
			return nil, err
		}
	}
	for _, v := range l.concurrency {
		if err := set("concurrency", v, func(lim *bulk.Limits, n float64) error {
			if n != float64(int(n)) {
				return errors.New("the number of calls at once must be a whole number")
			}
			lim.Concurrency = int(n)
			return nil
		}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// engineFlags are the bulk engine's settings an operator may need.
type engineFlags struct {
	db          string
	jobTimeout  time.Duration
	rescueAfter time.Duration
	dbTimeout   time.Duration
	limits      limitFlags
	metricsAddr string
}

func (f *engineFlags) add(cmd *cobra.Command) {
	addDBFlag(cmd, &f.db)
	cmd.Flags().StringArrayVar(&f.limits.rate, "rate", nil, "a provider's limit in requests per second, retries included, for all workers together; the database's, once set, is in force (restrict limits), PROVIDER=N (repeatable)")
	cmd.Flags().StringArrayVar(&f.limits.concurrency, "concurrency", nil, "a provider's calls at once in this process, PROVIDER=N (repeatable; default from its --rate, else 4)")
	cmd.Flags().DurationVar(&f.jobTimeout, "job-timeout", time.Minute, "how long one attempt of a job may take, its rate-limit waits and HTTP retries included")
	cmd.Flags().DurationVar(&f.rescueAfter, "rescue-after", 0, "how long a job of a crashed process stays taken before another takes it (default: job timeout + 30s)")
	cmd.Flags().StringVar(&f.metricsAddr, "metrics-addr", "", "serve /metrics (Prometheus), /healthz and /readyz on HOST:PORT, e.g. 127.0.0.1:9464; beyond loopback only with RESTRICT_METRICS_TOKEN set")
	cmd.Flags().DurationVar(&f.dbTimeout, "db-timeout", 5*time.Minute, "how long the database may stay unavailable before the command gives up (exit 3; the work resumes when it is back)")
}

// addDBFlag adds the one --db flag of every command that reads or writes
// the database.
func addDBFlag(cmd *cobra.Command, db *string) {
	cmd.Flags().StringVar(db, "db", "", "the database: file:restrict.db (SQLite, the default) or postgres://...; RESTRICT_DB also sets it (prefer it for a password: flags show in ps)")
}

// The output formats every command that prints records offers.
var formats = []string{"table", "csv", "json"}

// addFormatFlag adds the one --format flag of run, report and runs.
func addFormatFlag(cmd *cobra.Command, format *string, what string) {
	cmd.Flags().StringVar(format, "format", "table", what+": table, csv or json")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions(formats, cobra.ShellCompDirectiveNoFileComp))
}

// checkFormat refuses a format that is not one of formats.
func checkFormat(format string) error {
	switch format {
	case "table", "csv", "json":
		return nil
	}
	return usagef("--format %q: want table, csv or json", format)
}
