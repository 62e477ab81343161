package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

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

// shellQuote quotes s for a POSIX shell, as an operator would paste it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=@+,", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
