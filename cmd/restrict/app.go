package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/spf13/cobra"
)

// app is one invocation: its environment and streams, and what the global
// flags set.
type app struct {
	getenv         func(string) string
	io             streams
	stdout, stderr io.Writer

	envFile  string
	logLevel string
	started  bool // the command line was accepted: later errors are not about usage
	dotenv   map[string]string
	logger   *slog.Logger // the command's own events
	// riverLogger is for bulk and River: their internals show at debug
	// only, so that --log-level info shows the command's own events.
	riverLogger *slog.Logger
}

func (a *app) execute(ctx context.Context, args []string) int {
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetIn(a.io.in)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	err := root.ExecuteContext(ctx)
	var ue usageError
	var fe failedError
	code := exitIncomplete
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errInterrupted) || context.Cause(ctx) == errInterrupted:
		code = exitInterrupted
		if err == errInterrupted {
			// Bare, it says nothing the command has not said.
			return code
		}
	case errors.As(err, &fe):
		code = exitFailed
	case errors.As(err, &ue) || !a.started:
		// An error before the command started is cobra's: a missing
		// required flag, an unknown command or argument.
		code = exitUsage
	}
	// An error can quote a provider's message or a file's bytes: no
	// control character of theirs reaches the terminal.
	fmt.Fprintf(a.stderr, "restrict: %s\n", terminalSafeLines(err.Error()))
	return code
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "restrict",
		Short: "Restrict, lift or read back many customers at five payment providers, durably",
		Long: `restrict submits bulk runs from a CSV of subjects and works them durably
against the providers' APIs: a run survives crashes (run the same command
again to resume), each provider is held to its own rate and concurrency,
and every outcome is journaled as the run's audit record.

Providers are configured by RESTRICT_<PROVIDER>_* variables, from the
environment or --env-file (a dotenv file; the environment wins). They are
never taken from flags and never printed. The database is --db, or
RESTRICT_DB, or file:restrict.db in the current directory (SQLite); a postgres://
DSN shares runs between worker processes on several machines. Prefer
RESTRICT_DB for a DSN with a password: a flag is visible to every user of
the machine in ps. Passwords are never printed.

Exit status: 0 when every outcome is ok or unsupported, 1 when some failed,
2 for a usage or configuration error (found before anything is sent), 3
when the run could not complete (the database or a file failed; the same
command resumes), 130 when interrupted.`,
		Example: `  # try it: five fake providers with 1,000 customers each, then a run
  restrict fakes --seed 1000 --subjects subjects.csv > fakes.env &
  restrict run --action restrict --subjects subjects.csv --env-file fakes.env
  restrict report --name <run> --format json`,
		Version:       versionText(),
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return a.setup(cmd.Context())
		},
	}
	root.PersistentFlags().StringVar(&a.envFile, "env-file", "", "a dotenv file of RESTRICT_* settings; the environment wins")
	root.PersistentFlags().StringVar(&a.logLevel, "log-level", "warn", "debug, info, warn or error; logs are slog text on stderr")
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return usageError{fmt.Errorf("%w\nrun %q for usage", err, cmd.CommandPath()+" --help")}
	})
	root.SetVersionTemplate("{{.Version}}\n")
	root.AddCommand(a.fakesCommand(), a.runCommand(), a.workerCommand(), a.reportCommand(), a.runsCommand(), a.limitsCommand(), a.serveCommand(), a.versionCommand())
	return root
}

// runE is a command's RunE: cobra calls it once the command line is
// accepted, so that errors from then on are the command's own.
func (a *app) runE(run func(cmd *cobra.Command) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, _ []string) error {
		a.started = true
		return run(cmd)
	}
}

// setup reads the global flags: the log level and the dotenv file.
func (a *app) setup(ctx context.Context) error {
	var level slog.Level
	if err := level.UnmarshalText([]byte(a.logLevel)); err != nil {
		return usagef("--log-level %q: want debug, info, warn or error", a.logLevel)
	}
	a.logger = slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: level}))
	a.riverLogger = a.logger
	if level > slog.LevelDebug {
		a.riverLogger = slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: max(level, slog.LevelWarn)}))
	}
	if a.envFile == "" {
		return nil
	}
	vals, err := a.readEnvFile(ctx, a.envFile)
	if err != nil {
		return err
	}
	a.dotenv = vals
	return nil
}
