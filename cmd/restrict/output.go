package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
)

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

// createPrivate creates (or truncates) a file for customer data, readable
// by its owner only whatever the umask; an existing file's wider mode is
// narrowed too.
func createPrivate(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, err
	}
	if err := f.Chmod(0o600); err != nil {
		_ = f.Close()
		return nil, err
	}
	return f, nil
}

// output is where a command writes its records: stdout, or --output's
// file, created private. Its close reports a failed write.
func (a *app) output(path string) (io.Writer, func() error, error) {
	if path == "" || path == "-" {
		return a.stdout, func() error { return nil }, nil
	}
	f, err := createPrivate(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			return nil, nil, usagef("--output %s: %v", path, pe.Err)
		}
		return nil, nil, usagef("--output %s: %v", path, err)
	}
	return f, func() error {
		if err := f.Close(); err != nil {
			return fmt.Errorf("writing %s: %w", path, err)
		}
		return nil
	}, nil
}
