// Package example runs the provider example programs: the flags they share
// (-v) and their exit codes, so each program is only its walkthrough.
package example

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"
)

// Run parses args, then runs walkthrough with a logger (warnings only, or
// every HTTP attempt with -v) and a 30-second deadline. It returns the exit
// code: 0 on success or after -h, 1 when walkthrough fails, 2 for a usage
// error.
func Run(name string, args []string, stdout, stderr io.Writer, walkthrough func(context.Context, *slog.Logger, io.Writer) error) int {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	verbose := fs.Bool("v", false, "log every HTTP attempt (debug level) to stderr")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "%s: unexpected argument %q\n", name, fs.Arg(0))
		return 2
	}
	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := walkthrough(ctx, logger, stdout); err != nil {
		fmt.Fprintln(stderr, name+" example:", err)
		return 1
	}
	return 0
}
