package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/joho/godotenv"
	"github.com/spf13/cobra"
)

// The exit statuses.
const (
	exitOK          = 0
	exitFailed      = 1 // some outcome failed
	exitUsage       = 2 // a usage or configuration error, before anything was sent
	exitIncomplete  = 3 // could not complete: a database or I/O failure; the same command resumes
	exitInterrupted = 130
)

// errInterrupted is the cause of a context ended by SIGINT or SIGTERM.
var errInterrupted = errors.New("interrupted")

// usageError is a mistake in the command line, the environment or the
// input files: exit status 2, detected before anything is sent.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// failedError says that the command ran to its end but some outcome
// failed: exit status 1, after the report was printed.
type failedError struct{ msg string }

func (e failedError) Error() string { return e.msg }

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
	root.AddCommand(a.fakesCommand(), a.runCommand(), a.workerCommand(), a.reportCommand(), a.runsCommand(), a.versionCommand())
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

// envFileWait is how long a missing or empty --env-file is waited for:
// "restrict fakes > fakes.env &" writes it a moment after it starts.
const envFileWait = 60 * time.Second

func (a *app) readEnvFile(ctx context.Context, path string) (map[string]string, error) {
	deadline := time.Now().Add(envFileWait)
	told := false
	for {
		info, err := os.Stat(path)
		if err == nil && info.Size() > 0 {
			break
		}
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, usagef("--env-file: %v", err)
		}
		if time.Now().After(deadline) {
			return nil, usagef("--env-file %s is missing or empty", path)
		}
		if !told {
			fmt.Fprintf(a.stderr, "restrict: waiting for %s to be written (is \"restrict fakes\" still starting?)\n", path)
			told = true
		}
		select {
		case <-ctx.Done():
			return nil, context.Cause(ctx)
		case <-time.After(100 * time.Millisecond):
		}
	}
	vals, err := godotenv.Read(path)
	if err != nil {
		// godotenv's errors quote the offending line, which may hold a
		// credential: say where, not what.
		return nil, usagef("--env-file %s: not a dotenv file (KEY=value lines)", path)
	}
	return vals, nil
}

// env reads a setting: the environment first, then the dotenv file.
func (a *app) env(key string) string {
	if v := a.getenv(key); strings.TrimSpace(v) != "" {
		return v
	}
	return a.dotenv[key]
}

// dsn is the database: --db, RESTRICT_DB, or SQLite in the current
// directory. --db wins, as a flag given now should.
func (a *app) dsn(flag string) string {
	switch {
	case flag != "":
		return flag
	case a.env("RESTRICT_DB") != "":
		return a.env("RESTRICT_DB")
	}
	return "file:restrict.db"
}

// isPostgres tells a Postgres DSN from a SQLite one, as bulk.Open does.
func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}
