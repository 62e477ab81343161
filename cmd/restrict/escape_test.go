package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

func TestCSVCell(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"":                         "",
		"alice":                    "alice",
		"=HYPERLINK(\"http://x\")": "'=HYPERLINK(\"http://x\")",
		"+1":                       "'+1",
		"-1":                       "'-1",
		"@SUM(A1)":                 "'@SUM(A1)",
		"\t=1":                     "'\t=1",
		"\tx":                      "'\tx",
		"\rx":                      "'\rx",
		"\x00x":                    "'\x00x",
		" =1+1":                    "' =1+1",
		"\n@x":                     "'\n@x",
		"\u00a0\u3000-x":           "'\u00a0\u3000-x",
		"a=b":                      "a=b",
		"'=1":                      "'=1",
		" ":                        " ",
		"\n":                       "\n",
		"Zoë":                      "Zoë",
		"\xff=":                    "\xff=",
	} {
		require.Equal(t, want, csvCell(in), "%q", in)
	}
}

// Through encoding/csv and back, an escaped cell is the value with its
// "'" and nothing else: the escape survives the file's own quoting.
func TestCSVCellThroughAFile(t *testing.T) {
	t.Parallel()
	row := []string{"=cmd|' /C calc'!A0", "a,\"b\"", " -2+3", "ok"}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	esc := make([]string, len(row))
	for i, c := range row {
		esc[i] = csvCell(c)
	}
	require.NoError(t, w.Write(esc))
	w.Flush()
	got, err := csv.NewReader(&b).Read()
	require.NoError(t, err)
	require.Equal(t, []string{"'=cmd|' /C calc'!A0", "a,\"b\"", "' -2+3", "ok"}, got)
}

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

// encoding/json leaves DEL, C1 and bidirectional controls raw; jsonSafe
// escapes them and the JSON decodes to the same values.
func TestJSONSafe(t *testing.T) {
	t.Parallel()
	type row struct {
		Key     string            `json:"key"`
		Message string            `json:"message"`
		IDs     map[string]string `json:"ids"`
	}
	in := []row{
		{Key: "del\x7f", Message: "csi\u009b2J \u0080\u009f", IDs: map[string]string{"purse\u0085": "\u202eid"}},
		{Key: "nul\x00 esc\x1b", Message: "Zoë 東京 😀 \u2028 <&>", IDs: map[string]string{}},
	}
	for _, indent := range []bool{false, true} {
		var b []byte
		var err error
		if indent {
			b, err = json.MarshalIndent(in, "", "  ")
		} else {
			b, err = json.Marshal(in)
		}
		require.NoError(t, err)
		require.True(t, bytes.ContainsRune(b, 0x7f) && bytes.ContainsRune(b, 0x9b), "encoding/json escapes them now: jsonSafe may be dropped")
		got := jsonSafe(b)
		require.True(t, json.Valid(got))
		require.NotContains(t, string(got), "\x7f")
		for _, r := range string(got) {
			require.False(t, r >= 0x7f && unsafeRune(r), "%U in %s", r, got)
		}
		require.Contains(t, string(got), `del\u007f`)
		require.Contains(t, string(got), `csi\u009b2J \u0080\u009f`)
		require.Contains(t, string(got), `"purse\u0085"`)
		require.Contains(t, string(got), `"\u202eid"`)
		var back []row
		require.NoError(t, json.Unmarshal(got, &back))
		require.Equal(t, in, back)
	}
	plain := []byte(`{"a":"Zoë","b":"\u001b"}`)
	require.Equal(t, plain, jsonSafe(plain))
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
				require.False(t, unsafeRune(r) && r != '\n', "%q -> %q has %U", s, out, r)
			}
			if utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool { return unsafeRune(r) && !(lines && r == '\n') }) {
				require.Equal(t, s, out)
			}
		}
	})
}

func FuzzJSONSafe(f *testing.F) {
	for _, seed := range []string{"alice", "\x7f", "\u0085", "\u202e", "\xff", "\x00\"\\"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := json.Marshal(map[string]string{s: s})
		require.NoError(t, err)
		got := jsonSafe(b)
		require.True(t, json.Valid(got), "%s", got)
		var want, back map[string]string
		require.NoError(t, json.Unmarshal(b, &want))
		require.NoError(t, json.Unmarshal(got, &back))
		require.Equal(t, want, back)
		for _, r := range string(got) {
			require.False(t, unsafeRune(r), "%U in %s", r, got)
		}
	})
}

func FuzzCSVCell(f *testing.F) {
	for _, seed := range []string{"=1", " -1", "\t", "alice", "'=1"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := csvCell(s)
		require.False(t, formulaLike(out), "%q -> %q", s, out)
		require.True(t, out == s || out == "'"+s)
	})
}
