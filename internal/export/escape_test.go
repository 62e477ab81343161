package export

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"testing"

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
		require.Equal(t, want, CSVCell(in), "%q", in)
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
		esc[i] = CSVCell(c)
	}
	require.NoError(t, w.Write(esc))
	w.Flush()
	got, err := csv.NewReader(&b).Read()
	require.NoError(t, err)
	require.Equal(t, []string{"'=cmd|' /C calc'!A0", "a,\"b\"", "' -2+3", "ok"}, got)
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
		require.True(t, bytes.ContainsRune(b, 0x7f) && bytes.ContainsRune(b, 0x9b), "encoding/json escapes them now: JSONSafe may be dropped")
		got := JSONSafe(b)
		require.True(t, json.Valid(got))
		require.NotContains(t, string(got), "\x7f")
		for _, r := range string(got) {
			require.False(t, r >= 0x7f && UnsafeRune(r), "%U in %s", r, got)
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
	require.Equal(t, plain, JSONSafe(plain))
}

func FuzzJSONSafe(f *testing.F) {
	for _, seed := range []string{"alice", "\x7f", "\u0085", "\u202e", "\xff", "\x00\"\\"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := json.Marshal(map[string]string{s: s})
		require.NoError(t, err)
		got := JSONSafe(b)
		require.True(t, json.Valid(got), "%s", got)
		var want, back map[string]string
		require.NoError(t, json.Unmarshal(b, &want))
		require.NoError(t, json.Unmarshal(got, &back))
		require.Equal(t, want, back)
		for _, r := range string(got) {
			require.False(t, UnsafeRune(r), "%U in %s", r, got)
		}
	})
}

func FuzzCSVCell(f *testing.F) {
	for _, seed := range []string{"=1", " -1", "\t", "alice", "'=1"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := CSVCell(s)
		require.False(t, formulaLike(out), "%q -> %q", s, out)
		require.True(t, out == s || out == "'"+s)
	})
}
