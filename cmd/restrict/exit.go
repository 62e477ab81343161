package main

import (
	"errors"
	"fmt"
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
