// Package export writes a run's outcomes as the files an auditor keeps:
// the CSV and the JSON of "restrict report", byte for byte, for the
// command and the console alike.
package export

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// CSVCell returns s as a cell of a CSV report that a spreadsheet shows as
// text and never evaluates (CSV formula injection, CWE-1236). Following
// OWASP, a cell that begins with '=', '+', '-', '@', TAB or CR gets a
// leading "'", which spreadsheets take as "this is text" and hide. A cell
// whose first character after leading white space is one of '=', '+',
// '-', '@' is escaped too, since some spreadsheets and import dialogs trim
// that space; so is one beginning with NUL (OWASP ASVS 1.2.10). The cost
// is a visible "'" for programs reading the CSV as data, which is why the
// JSON report carries the values exactly.
func CSVCell(s string) string {
	if formulaLike(s) {
		return "'" + s
	}
	return s
}

func formulaLike(s string) bool {
	if s == "" {
		return false
	}
	switch s[0] {
	case '\t', '\r', 0:
		return true
	}
	t := strings.TrimLeftFunc(s, unicode.IsSpace)
	return t != "" && strings.IndexByte("=+-@", t[0]) >= 0
}

// UnsafeRune reports the characters a terminal acts on rather than shows:
// C0, DEL, C1, and the bidirectional and line-separator controls.
func UnsafeRune(r rune) bool {
	switch {
	case unicode.IsControl(r): // C0, DEL and C1
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true // bidirectional controls
	case r == 0x2028, r == 0x2029:
		return true
	}
	return false
}

// JSONSafe rewrites, in JSON written by encoding/json, the characters it
// leaves raw but a terminal would act on (DEL, the C1 controls, the
// bidirectional controls) as \u escapes, so that a JSON report printed on
// a terminal carries none of them. The result is valid JSON that decodes
// to the same values. C0 controls need nothing: encoding/json escapes them
// inside strings, and outside strings they are its indentation.
func JSONSafe(b []byte) []byte {
	var out []byte
	done := 0 // b[:done] is in out
	for i := 0; i < len(b); {
		if b[i] < 0x7f {
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if UnsafeRune(r) {
			out = append(out, b[done:i]...)
			out = fmt.Appendf(out, `\u%04x`, r)
			done = i + size
		}
		i += size
	}
	if out == nil {
		return b
	}
	return append(out, b[done:]...)
}
