package main

import (
	"io"
	"os"
	"sync"

	"golang.org/x/term"
)

// streams are a command's standard streams and what is known of them:
// whether a person is at a terminal decides the confirmation prompt and
// the progress display. Tests build them from buffers.
type streams struct {
	in       io.Reader
	out, err io.Writer
	// inTTY and errTTY say whether stdin and stderr are terminals.
	inTTY, errTTY bool
	// width is the terminal's width in columns, where stderr is one.
	width int
}

// systemStreams are the process's own streams.
func systemStreams() streams {
	s := streams{in: os.Stdin, out: os.Stdout, err: os.Stderr,
		inTTY: term.IsTerminal(int(os.Stdin.Fd())), errTTY: term.IsTerminal(int(os.Stderr.Fd()))}
	if s.errTTY {
		if w, _, err := term.GetSize(int(os.Stderr.Fd())); err == nil {
			s.width = w
		}
	}
	return s
}

// lockedWriter serialises writes: the command, the slog handlers and
// River's goroutines all write to stderr, and one line must not cut into
// another (nor race, when stderr is a buffer in a test).
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
