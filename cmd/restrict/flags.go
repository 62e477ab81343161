package main

import (
	"math"
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
	for _, v := range l.rate {
		name, n, err := providerNumber("--rate", v, false, false)
		if err != nil {
			return nil, err
		}
		lim := out[name]
		lim.Rate = n
		out[name] = lim
	}
	for _, v := range l.concurrency {
		name, n, err := providerNumber("--concurrency", v, true, false)
		if err != nil {
			return nil, err
		}
		lim := out[name]
		lim.Concurrency = int(n)
		out[name] = lim
	}
	return out, nil
}

// providerNumber reads one PROVIDER=N of what (a flag, or an argument):
// a known provider and a number above 0, or at least 0 when zero, and
// whole when whole.
func providerNumber(what, v string, whole, zero bool) (string, float64, error) {
	name, num, ok := strings.Cut(v, "=")
	if !ok {
		return "", 0, usagef("%s %q: want PROVIDER=N, for example purse=50", what, v)
	}
	name = strings.TrimSpace(name)
	if _, known := fleet.Lookup(name); !known {
		return "", 0, usagef("%s %q: unknown provider %q; the providers are %s", what, v, name, strings.Join(fleet.Names(), ", "))
	}
	n, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	kind, least := "a number", "above 0"
	if whole {
		kind = "a whole number"
	}
	if zero {
		least = "0 or more"
	}
	if err != nil || math.IsInf(n, 0) || n < 0 || (n == 0 && !zero) || (whole && n != math.Trunc(n)) {
		return "", 0, usagef("%s %q: N must be %s, %s", what, v, kind, least)
	}
	return name, n, nil
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
