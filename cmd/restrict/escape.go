package main

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/restrictkit/restrict/internal/export"
)

// csvCell is export.CSVCell: the command's CSV cells are escaped as its
// reports' are.
func csvCell(s string) string { return export.CSVCell(s) }

// terminalSafe returns s with every character that a terminal would act
// on rather than show written as a visible escape: C0 controls (newline
// and TAB too, s being one cell or line) and DEL as \x1b, C1 controls as
// \u009b, invalid UTF-8 bytes as \xff, and the Unicode bidirectional and
// line-separator controls, which reorder or break what is shown, as
// \u202e. Printable text, non-ASCII letters included, is left as it is;
// a backslash already in s is not doubled, so the result is for reading,
// not for decoding.
func terminalSafe(s string) string { return escapeControls(s, false) }

// terminalSafeLines is terminalSafe for a message of several lines, such
// as an error: it keeps each '\n' and escapes everything else.
func terminalSafeLines(s string) string { return escapeControls(s, true) }

func escapeControls(s string, keepNewlines bool) string {
	var b strings.Builder
	done := 0 // s[:done] is in b
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		esc := ""
		switch {
		case r == utf8.RuneError && size == 1:
			esc = fmt.Sprintf(`\x%02x`, s[i])
		case r == '\n' && keepNewlines:
		case r < 0x20 || r == 0x7f:
			esc = fmt.Sprintf(`\x%02x`, r)
		case export.UnsafeRune(r):
			esc = fmt.Sprintf(`\u%04x`, r)
		}
		if esc != "" {
			b.WriteString(s[done:i])
			b.WriteString(esc)
			done = i + size
		}
		i += size
	}
	if done == 0 {
		return s
	}
	b.WriteString(s[done:])
	return b.String()
}
