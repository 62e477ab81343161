package main

import (
	"errors"
	"io/fs"

	"github.com/restrictkit/restrict/internal/subjects"
)

// readSubjects reads and checks the subjects file (internal/subjects),
// every refusal a usage error: nothing is submitted from a file with a
// problem.
func readSubjects(path string) (*subjects.File, error) {
	f, err := subjects.ReadFile(path)
	var pe *fs.PathError
	switch {
	case err == nil:
		return f, nil
	case errors.As(err, &pe):
		return nil, usagef("--subjects: %v", err)
	}
	return nil, usageError{err}
}
