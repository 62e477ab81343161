package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict/internal/testkit"
)

// operator runs the command in this process, through Main, as an operator
// would at a shell: fakes serving in the background, a working folder, the
// fakes' exports in the environment, and the database in the folder.
type operator struct {
	t   *testing.T
	dir string
	env map[string]string
	// stdin and tty are what the next command reads and whether it is a
	// person at a terminal.
	stdin string
	tty   bool
	// watch, when set, also receives the commands' stderr as they write
	// it, for a test to wait on.
	watch *testkit.SyncBuffer
}

// outcome is what one command left behind.
type outcome struct {
	code           int
	stdout, stderr string
}

func newOperator(t *testing.T) *operator {
	dir := t.TempDir()
	return &operator{t: t, dir: dir, env: map[string]string{"RESTRICT_DB": "file:" + filepath.Join(dir, "restrict.db")}}
}

func (o *operator) path(name string) string { return filepath.Join(o.dir, name) }

func (o *operator) getenv(k string) string { return o.env[k] }

// fakes serves the five fakes with seed customers each, written to
// subjects.csv, until the test ends.
func (o *operator) fakes(seed int) {
	o.t.Helper()
	ctx, cancel := context.WithCancelCause(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- Main(ctx, []string{"fakes", "--seed", fmt.Sprint(seed), "--subjects", o.path("subjects.csv")}, o.getenv,
			streams{in: strings.NewReader(""), out: pw, err: io.Discard})
		_ = pw.Close()
	}()
	o.t.Cleanup(func() {
		cancel(errInterrupted)
		<-done
	})
	lines := bufio.NewScanner(pr)
	for exports := 0; exports < 18; {
		require.True(o.t, lines.Scan(), "the fakes' exports")
		kv, ok := strings.CutPrefix(lines.Text(), "export ")
		if !ok {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		o.env[k] = strings.Trim(v, "'")
		exports++
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
}

// main runs one command to its end.
func (o *operator) main(args ...string) outcome {
	o.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	return o.mainContext(ctx, args...)
}

func (o *operator) mainContext(ctx context.Context, args ...string) outcome {
	// River's goroutines may still log for a moment after a command that
	// gave up on its database has returned: the buffers take that.
	var stdout, stderr testkit.SyncBuffer
	var errw io.Writer = &stderr
	if o.watch != nil {
		errw = io.MultiWriter(&stderr, o.watch)
	}
	code := Main(ctx, args, o.getenv, streams{in: strings.NewReader(o.stdin), out: &stdout, err: errw, inTTY: o.tty})
	return outcome{code, stdout.String(), stderr.String()}
}

func (o *operator) write(name, content string) string {
	o.t.Helper()
	p := o.path(name)
	require.NoError(o.t, os.WriteFile(p, []byte(content), 0o600))
	return p
}

// subjectLines returns the subjects file the fakes wrote, as lines.
func (o *operator) subjectLines() []string {
	o.t.Helper()
	b, err := os.ReadFile(o.path("subjects.csv"))
	require.NoError(o.t, err)
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}
