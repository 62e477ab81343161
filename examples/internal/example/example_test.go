package example_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/restrictkit/restrict/examples/internal/example"
)

func TestRun(t *testing.T) {
	t.Parallel()
	ok := func(_ context.Context, l *slog.Logger, out io.Writer) error {
		l.Debug("attempt")
		_, err := io.WriteString(out, "done")
		return err
	}
	fail := func(context.Context, *slog.Logger, io.Writer) error { return errors.New("boom") }
	for _, tc := range []struct {
		args       []string
		walk       func(context.Context, *slog.Logger, io.Writer) error
		code       int
		out, debug bool
	}{
		{nil, ok, 0, true, false},
		{[]string{"-v"}, ok, 0, true, true},
		{[]string{"-h"}, ok, 0, false, false},
		{[]string{"extra"}, ok, 2, false, false},
		{[]string{"-nope"}, ok, 2, false, false},
		{nil, fail, 1, false, false},
	} {
		var stdout, stderr bytes.Buffer
		code := example.Run("demo", tc.args, &stdout, &stderr, tc.walk)
		if code != tc.code {
			t.Errorf("%v: exit %d; want %d (stderr %q)", tc.args, code, tc.code, stderr.String())
		}
		if got := stdout.String() == "done"; got != tc.out {
			t.Errorf("%v: walkthrough ran = %v; want %v", tc.args, got, tc.out)
		}
		if got := strings.Contains(stderr.String(), "msg=attempt"); got != tc.debug {
			t.Errorf("%v: debug logged = %v; want %v", tc.args, got, tc.debug)
		}
		if tc.code == 1 && !strings.Contains(stderr.String(), "demo example: boom") {
			t.Errorf("the failure is not reported: %q", stderr.String())
		}
	}
}
