package main

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict/internal/export"
)

func TestTerminalSafe(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"":                   "",
		"alice":              "alice",
		"Zoë 東京 \u00e9😀":     "Zoë 東京 \u00e9😀",
		"\x1b[31mred\x1b[0m": `\x1b[31mred\x1b[0m`,
		"\x1b]8;;http://x\a": `\x1b]8;;http://x\x07`,
		"a\nb":               `a\x0ab`,
		"a\r\nb":             `a\x0d\x0ab`,
		"tab\t":              `tab\x09`,
		"\x00":               `\x00`,
		"del\x7f":            `del\x7f`,
		"csi\u009b2J":        `csi\u009b2J`,
		"\u0080\u0085":       `\u0080\u0085`,
		"\xff\xfe":           `\xff\xfe`,
		"a\xc3":              `a\xc3`,
		"\ufffd":             "\ufffd",
		"\u202egnp.exe":      `\u202egnp.exe`,
		"x\u2066y\u2069":     `x\u2066y\u2069`,
		"line\u2028sep":      `line\u2028sep`,
		`C:\path`:            `C:\path`,
	} {
		require.Equal(t, want, terminalSafe(in), "%q", in)
	}
}

func TestTerminalSafeLines(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"one\ntwo\n":         "one\ntwo\n",
		"one\r\ntwo":         "one\\x0d\ntwo",
		"a\x1b[2Jb\n\tc":     "a\\x1b[2Jb\n\\x09c",
		"\u009b\xff\n\u202e": "\\u009b\\xff\n\\u202e",
	} {
		require.Equal(t, want, terminalSafeLines(in), "%q", in)
	}
}

func FuzzTerminalSafe(f *testing.F) {
	for _, seed := range []string{"alice", "\x1b[31m", "\u009b", "\xff", "a\nb\r\n", "Zoë\u202e", "\xc2", "\xe2\x80"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, lines := range []bool{false, true} {
			out := terminalSafe(s)
			if lines {
				out = terminalSafeLines(s)
			}
			require.True(t, utf8.ValidString(out), "%q -> %q", s, out)
			for i := 0; i < len(out); i++ {
				c := out[i]
				if c < 0x20 || c == 0x7f {
					require.True(t, lines && c == '\n', "%q -> %q has byte %#x", s, out, c)
				}
			}
			for _, r := range out {
				require.False(t, export.UnsafeRune(r) && r != '\n', "%q -> %q has %U", s, out, r)
			}
			if utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool { return export.UnsafeRune(r) && !(lines && r == '\n') }) {
				require.Equal(t, s, out)
			}
		}
	})
}
