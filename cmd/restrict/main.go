// Command restrict is the operator's tool for restricting customers at the
// five payment providers this module supports, many at a time: it submits a
// run from a CSV of subjects, works it durably to the end with live
// progress, and prints the run's audit record. It is built on package bulk
// (River, on SQLite by default or Postgres for several machines).
//
//	restrict fakes --seed 1000 --subjects subjects.csv > fakes.env &
//	restrict run --action restrict --subjects subjects.csv --env-file fakes.env
//	restrict report --name <run> --format json
//
// Credentials come from RESTRICT_<PROVIDER>_* environment variables or a
// dotenv file (--env-file), never from flags, and are never printed. Run
// "restrict help" for the commands and "restrict help <command>" for each.
//
// Exit status: 0 when every outcome is ok or unsupported, 1 when some
// failed, 2 for a usage or configuration error (detected before anything
// is sent), 3 when the run could not complete (a database or I/O failure:
// the same command resumes), 130 when interrupted.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := interruptible()
	defer stop()
	os.Exit(Main(ctx, os.Args[1:], os.Getenv, systemStreams()))
}

// interruptible returns a context that ends at the first SIGINT or SIGTERM,
// which asks the command to stop gracefully: take no new work, let calls
// in flight finish (bounded), keep everything recorded. A second signal
// exits at once; the database keeps what was recorded, and running the
// same command again resumes.
func interruptible() (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		if _, ok := <-sigs; !ok {
			return
		}
		cancel(errInterrupted)
		if _, ok := <-sigs; ok {
			fmt.Fprintln(os.Stderr, "restrict: interrupted again: exiting now; run the same command to resume")
			os.Exit(exitInterrupted)
		}
	}()
	return ctx, func() {
		signal.Stop(sigs)
		close(sigs)
		cancel(nil)
	}
}

// Main runs the command line args with the environment getenv on the
// streams s, and returns the exit status. ctx ending is an interrupt.
func Main(ctx context.Context, args []string, getenv func(string) string, s streams) int {
	s.err = &lockedWriter{w: s.err}
	a := &app{getenv: getenv, io: s, stdout: s.out, stderr: s.err}
	return a.execute(ctx, args)
}
