package subjects

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict/bulk"
	"github.com/restrictkit/restrict/internal/export"
)

const testUUID = "6d962783-f0cf-420d-a511-3a48c71c5595"

func subjectsPath(t testing.TB, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "subjects.csv")
	require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
	return p
}

func collect(t *testing.T, sf *File) []bulk.Subject {
	t.Helper()
	var got []bulk.Subject
	for s, err := range sf.Stream() {
		require.NoError(t, err)
		got = append(got, s)
	}
	return got
}

func TestReadFileAcceptsAnySubsetInAnyOrder(t *testing.T) {
	t.Parallel()
	content := "\ufeffSubject, Walletplatform ,purse\nalice,acc-1," + testUUID + "\nbob,,\"\"\ncarol,acc-3,\n"
	sf, err := ReadFile(subjectsPath(t, content))
	require.NoError(t, err)
	require.Equal(t, []string{"walletplatform", "purse"}, sf.Providers)
	require.Equal(t, []int{1, 2}, sf.columns)
	require.Equal(t, 3, sf.Subjects)
	require.Equal(t, 3, sf.Jobs)
	require.Equal(t, 1, sf.IDless)
	// The sum is over the bytes as read, BOM included, so that a run's
	// default name is what it was.
	sum := sha256.Sum256([]byte(content))
	require.Equal(t, hex.EncodeToString(sum[:]), sf.Sum)
	require.Empty(t, sf.Duplicates)
	require.Equal(t, []bulk.Subject{
		{Key: "alice", IDs: map[string]string{"walletplatform": "acc-1", "purse": testUUID}},
		{Key: "bob", IDs: map[string]string{}},
		{Key: "carol", IDs: map[string]string{"walletplatform": "acc-3"}},
	}, collect(t, sf))
}

// A BOM before a quoted header was a bare quote in the first field when
// it was stripped from the field rather than from the bytes.
func TestReadFileAcceptsABOMBeforeAQuotedHeader(t *testing.T) {
	t.Parallel()
	sf, err := ReadFile(subjectsPath(t, "\ufeff\"subject\",\"purse\"\r\n\"alice\",\""+testUUID+"\"\r\n"))
	require.NoError(t, err)
	require.Equal(t, []string{"purse"}, sf.Providers)
	require.Equal(t, []bulk.Subject{{Key: "alice", IDs: map[string]string{"purse": testUUID}}}, collect(t, sf))
}

// What is submitted is what was checked: the file changed after the check
// changes nothing.
func TestStreamYieldsTheCheckedBytes(t *testing.T) {
	t.Parallel()
	p := subjectsPath(t, "subject,walletplatform\nalice,acc-1\n")
	sf, err := ReadFile(p)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(p, []byte("subject,walletplatform\nalice,acc-2\nbob,../x\n"), 0o600))
	require.Equal(t, []bulk.Subject{{Key: "alice", IDs: map[string]string{"walletplatform": "acc-1"}}}, collect(t, sf))
	require.NoError(t, os.Remove(p))
	require.Len(t, collect(t, sf), 1)
}

func TestStreamStopsWhenAsked(t *testing.T) {
	t.Parallel()
	sf, err := ReadFile(subjectsPath(t, "subject,walletplatform\na,1\nb,2\nc,3\n"))
	require.NoError(t, err)
	n := 0
	for range sf.Stream() {
		n++
		if n == 2 {
			break
		}
	}
	require.Equal(t, 2, n)
}

// Every problem is named by its line and column, in words that carry no
// raw control character.
func TestReadFileNamesEveryProblem(t *testing.T) {
	t.Parallel()
	long := func(n int) string { return strings.Repeat("k", n) }
	for name, tc := range map[string]struct {
		content string
		want    []string
	}{
		"empty":           {"", []string{"the file is empty"}},
		"only a BOM":      {"\ufeff", []string{"the file is empty"}},
		"no providers":    {"subject\nalice\n", []string{":1:1: no provider column"}},
		"first column":    {"customer,purse\nalice," + testUUID + "\n", []string{`:1:1: the first column must be "subject", not "customer"`}},
		"unknown column":  {"subject,purse,stripe\n", []string{`:1:3: unknown column "stripe": provider columns are cryptomus, customerv2, kpayment, purse, walletplatform`}},
		"control column":  {"subject,pur\x1bse\n", []string{`:1:2: unknown column "pur\x1bse"`}},
		"repeated column": {"subject,purse,kpayment,purse\n", []string{`:1:4: column "purse" repeats column 2`}},
		"only a header":   {"subject,purse\n", []string{"no subjects after the header"}},
		"semicolons": {"subject;purse\nalice;" + testUUID + "\n", []string{
			`:1:1: the header looks semicolon-separated; the file must be comma-separated (CSV)`, "has 1 problem;"}},
		"semicolons later": {"subject,purse;kpayment\n", []string{`:1:2: the header looks semicolon-separated`}},
		"tabs": {"subject\tpurse\nalice\t" + testUUID + "\n", []string{
			`:1:1: the header looks tab-separated; the file must be comma-separated (CSV)`}},
		"rows": {"subject,purse,kpayment,cryptomus\n" +
			"alice,not-a-uuid,,\n" +
			"alice,,,\n" +
			" bob,,,\n" +
			",,,\n" +
			"dave,," + testUUID + " ,\n" +
			"erin,,,o/1\n" +
			"frank,\n" +
			"  ,,,\n", []string{
			`:2:2: purse would refuse ID "not-a-uuid": ID must be a UUID`,
			`:3:1: subject "alice" repeats line 2`,
			`:4:1: subject " bob" has white space around it`,
			`:5:1: the subject is empty`,
			`:6:3: kpayment ID "` + testUUID + ` " has white space around it`,
			`:7:4: cryptomus would refuse ID "o/1"`,
			`:8:1: wrong number of fields: 2, the header has 4`,
			`:9:1: the subject is only white space`,
			"has 8 problems; nothing was submitted",
		}},
		"keys": {"subject,walletplatform\n" +
			"a\x1bb,acc-1\n" +
			"a\u009bb,acc-2\n" +
			"a\x7fb,acc-3\n" +
			"a\xffb,acc-4\n" +
			"a\x00,acc-5\n" +
			long(200) + ",acc-6\n" +
			long(201) + ",acc-7\n" +
			"tab\t,acc-8\n", []string{
			`:2:1: subject "a\x1bb": control character U+001B at byte 2`,
			`:3:1: subject "a\u009bb": control character U+009B at byte 2`,
			`:4:1: subject "a\x7fb": control character U+007F at byte 2`,
			`:5:1: subject "a\xffb": not valid UTF-8 at byte 2`,
			`:6:1: subject "a\x00": control character U+0000 at byte 2`,
			`:8:1: subject "` + long(64) + `"... (201 bytes): 201 bytes, at most 200`,
			`:9:1: subject "tab\t": control character U+0009 at byte 4`,
			"has 7 problems",
		}},
		"ids": {"subject,walletplatform,purse\n" +
			"a,acc\x00,\n" +
			"b,acc\u0085,\n" +
			"c,acc\xc3,\n" +
			"d," + long(256) + ",\n" +
			"e," + long(257) + ",\n" +
			"f,," + testUUID + "\x1b\n", []string{
			`:2:2: walletplatform ID "acc\x00": control character U+0000 at byte 4`,
			`:3:2: walletplatform ID "acc\u0085": control character U+0085 at byte 4`,
			`:4:2: walletplatform ID "acc\xc3": not valid UTF-8 at byte 4`,
			`:6:2: walletplatform ID "` + long(64) + `"... (257 bytes): 257 bytes, at most 256`,
			`:7:3: purse ID "` + testUUID + `\x1b": control character U+001B at byte 37`,
			"has 5 problems",
		}},
		"unclosed quote": {"subject,purse\nalice,\"" + testUUID + "\nbob," + testUUID + "\n", []string{
			`:2:7: extraneous or missing " in quoted-field: this quote is never closed`, "has 1 problem"}},
		"unclosed quote, no newline":         {"subject,purse\nalice,\"x", []string{`:2:7: extraneous or missing " in quoted-field: this quote is never closed`}},
		"unclosed after a quoted line break": {"subject,purse\r\n\"al\r\n\"\"ice\",\"x\r\n", []string{`:3:8: extraneous or missing " in quoted-field: this quote is never closed`}},
		"unclosed header":                    {"\"subject,purse\n", []string{`:1:1: extraneous or missing " in quoted-field: this quote is never closed`}},
		"text after a closing quote":         {"subject,purse\n\"al\"ice,x\n", []string{`:2:4: extraneous or missing " in quoted-field`}},
		// Reading the line of a failed record was a panic: "out of range
		// index passed to FieldPos".
		"bare quote first":           {"subject,purse\nc\"d,x\n", []string{`:2:2: bare " in non-quoted-field`, "has 1 problem"}},
		"bare quote after good rows": {"subject,walletplatform\na,1\nb,2\nc,x\"y\nd,4\n", []string{`:4:4: bare " in non-quoted-field`, "has 1 problem"}},
	} {
		_, err := ReadFile(subjectsPath(t, tc.content))
		require.Error(t, err, name)
		for _, w := range tc.want {
			require.Contains(t, err.Error(), w, name)
		}
		if name == "text after a closing quote" {
			require.NotContains(t, err.Error(), "never closed")
		}
		requireNoControls(t, err.Error())
	}

	var b strings.Builder
	b.WriteString("subject,purse\n")
	for i := range 25 {
		b.WriteString("s" + strings.Repeat("x", i) + ",bad\n")
	}
	_, err := ReadFile(subjectsPath(t, b.String()))
	require.ErrorContains(t, err, "has 25 problems")
	require.ErrorContains(t, err, "... and 5 more")
	require.Equal(t, 20, strings.Count(err.Error(), "would refuse"))
}

// requireNoControls fails on a raw control character or invalid UTF-8 in
// a message of lines.
func requireNoControls(t testing.TB, msg string) {
	t.Helper()
	require.True(t, utf8.ValidString(msg), "%q", msg)
	for _, r := range msg {
		if r != '\n' {
			require.False(t, export.UnsafeRune(r), "%q carries %U", msg, r)
		}
	}
}

// The same customer under two subjects would be called twice: a warning
// per repetition, the first MaxProblems kept, all counted.
func TestReadFileWarnsOfAnIDUnderTwoSubjects(t *testing.T) {
	t.Parallel()
	p := subjectsPath(t, "subject,walletplatform,purse\n"+
		"alice,acc-1,"+testUUID+"\n"+
		"bob,acc-2,"+testUUID+"\n"+
		"carol,acc-1,\n"+
		"dave,acc-4,"+testUUID+"\n")
	sf, err := ReadFile(p)
	require.NoError(t, err)
	require.Equal(t, []string{
		p + `:3:3: purse ID "` + testUUID + `" is also subject "alice"'s (line 2)`,
		p + `:4:2: walletplatform ID "acc-1" is also subject "alice"'s (line 2)`,
		p + `:5:3: purse ID "` + testUUID + `" is also subject "alice"'s (line 2)`,
	}, sf.Duplicates)
	require.Equal(t, 3, sf.Duplicated)
	require.Equal(t, 4, sf.Subjects)

	var b strings.Builder
	b.WriteString("subject,walletplatform\n")
	for i := range 26 {
		fmt.Fprintf(&b, "s%d,same\n", i)
	}
	sf, err = ReadFile(subjectsPath(t, b.String()))
	require.NoError(t, err)
	require.Len(t, sf.Duplicates, MaxProblems)
	require.Equal(t, 25, sf.Duplicated)
}

func TestReadFileRefusesAHugeFile(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "huge.csv")
	f, err := os.Create(p)
	require.NoError(t, err)
	// Sparse: refused by its size, before a byte is read.
	require.NoError(t, f.Truncate(MaxBytes+1))
	require.NoError(t, f.Close())
	_, err = ReadFile(p)
	require.EqualError(t, err, p+": the file is over 256 MiB: split it into several runs")

	var pe *fs.PathError
	_, err = ReadFile(filepath.Join(t.TempDir(), "missing.csv"))
	require.ErrorAs(t, err, &pe)
	_, err = ReadFile(t.TempDir())
	require.ErrorAs(t, err, &pe)
}

// FuzzReadFile: any bytes are refused in words
// safe for a terminal, or accepted with a stream that yields exactly the
// subjects counted, each storable.
func FuzzReadFile(f *testing.F) {
	for _, seed := range []string{
		"subject,purse\n" + "alice," + testUUID + "\n",
		"\ufeff\"subject\",\"walletplatform\"\r\n\"a\",\"1\"\r\n",
		"subject,walletplatform,kpayment\na,1,\nb,,2\nc,1,\n",
		"subject,purse\nalice,\"x\n",
		"subject,purse\nc\"d,x\n",
		"subject;purse\n",
		"subject,walletplatform\n\"a\nb\",\"x\"\"y\"\n",
		"subject,walletplatform\na\x1b,\xff\n",
		"",
	} {
		f.Add([]byte(seed))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(dir, "fuzz.csv")
		require.NoError(t, os.WriteFile(p, data, 0o600))
		sf, err := ReadFile(p)
		if err != nil {
			requireNoControls(t, err.Error())
			return
		}
		for _, w := range sf.Duplicates {
			requireNoControls(t, w)
		}
		n, jobs := 0, 0
		for s, err := range sf.Stream() {
			require.NoError(t, err)
			require.NoError(t, bulk.CheckKey(s.Key))
			for _, id := range s.IDs {
				require.NoError(t, bulk.CheckID(id))
			}
			n++
			jobs += len(s.IDs)
		}
		require.Equal(t, sf.Subjects, n)
		require.Equal(t, sf.Jobs, jobs)
	})
}

// The console lists a refused file's problems one by one: each carries
// its line and column apart from its message.
func TestParseRefusesWithLocatedProblems(t *testing.T) {
	t.Parallel()
	_, err := Parse("upload.csv", []byte("subject,walletplatform,purse\nalice,,not-a-uuid\nalice,acc-1,\n"))
	var e *Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, &Error{Name: "upload.csv", Count: 2, Problems: []Problem{
		{Line: 2, Column: 3, Message: `purse would refuse ID "not-a-uuid": ID must be a UUID (8-4-4-4-12 hexadecimal digits)`},
		{Line: 3, Column: 1, Message: `subject "alice" repeats line 2`},
	}}, e)
	require.Equal(t, "the subjects file has 2 problems; nothing was submitted:\n"+
		`upload.csv:2:3: purse would refuse ID "not-a-uuid": ID must be a UUID (8-4-4-4-12 hexadecimal digits)`+"\n"+
		`upload.csv:3:1: subject "alice" repeats line 2`, err.Error())

	f, err := Parse("upload.csv", []byte("subject,purse,walletplatform\nalice,,acc-1\n"))
	require.NoError(t, err)
	require.Equal(t, 2, f.Column("purse"))
	require.Equal(t, 3, f.Column("walletplatform"))
	require.Zero(t, f.Column("kpayment"))
}

func TestWarnings(t *testing.T) {
	f, err := Parse("s.csv", []byte("subject,purse\na,"+testUUID+"\nb,"+testUUID+"\nc,\n"))
	require.NoError(t, err)
	w := f.Warnings()
	require.Len(t, w, 3)
	require.Contains(t, w[0], "s.csv:3:")
	require.Equal(t, "a customer whose ID is under two subjects is called twice", w[1])
	require.Equal(t, "1 subjects have no ID at any provider: nothing to do for them", w[2])

	f, err = Parse("s.csv", []byte("subject,purse\na,"+testUUID+"\n"))
	require.NoError(t, err)
	require.Empty(t, f.Warnings())
}
