package subjects

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/bulk"
	"github.com/restrictkit/restrict/internal/fleet"
)

// MaxBytes bounds a subjects file, which is held in memory so that what
// is submitted is exactly what was checked. Real files are a few tens of
// MB; a bigger one is more likely a mistake than a run.
const MaxBytes = 256 << 20

var utf8BOM = []byte("\ufeff")

// File is a checked list of subjects. A CSV file's header is "subject"
// followed by provider package names (any subset, any order); each row is
// a subject's key and its ID at each of those providers, empty where it
// has none.
type File struct {
	Name      string   // the file's name in messages
	Providers []string // the provider columns, in file order
	Sum       string   // the SHA-256 of the bytes read (or of a JSON list's canonical form), hex
	Subjects  int
	Jobs      int
	IDless    int // subjects without an ID at any provider

	// Duplicates warns of provider IDs found under two subject keys (that
	// customer would be called twice), the first MaxProblems of them, each
	// "name:line:col: message" (or "pointer: message"); Duplicated counts
	// them all.
	Duplicates []string
	Duplicated int

	columns []int     // each provider's column index
	data    []byte    // the checked bytes without a BOM: what Stream parses
	list    []Subject // a JSON list's subjects, canonical; nil for a CSV file
}

// ReadFile reads the file at path once, within MaxBytes, and checks it
// as Parse does. An error opening or reading it is an *fs.PathError.
func ReadFile(path string) (*File, error) {
	raw, err := readLimited(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, raw)
}

func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	tooBig := fmt.Errorf("%s: the file is over %d MiB: split it into several runs", path, MaxBytes>>20)
	var buf bytes.Buffer
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
		if fi.Size() > MaxBytes {
			return nil, tooBig
		}
		buf.Grow(int(fi.Size()) + bytes.MinRead)
	}
	if _, err := buf.ReadFrom(io.LimitReader(f, MaxBytes+1)); err != nil {
		return nil, err
	}
	if buf.Len() > MaxBytes {
		return nil, tooBig
	}
	return buf.Bytes(), nil
}

// Parse checks a CSV of subjects and refuses it with every problem's line
// and column (up to MaxProblems) in an *Error: a quoting error, a ; or tab
// delimiter, an unknown or repeated column, a row of the wrong width, a
// missing, repeated or unstorable subject key, an ID with white space
// around it or one its provider would refuse (the provider's
// CheckTargetID). An empty file, or one with no subject after its header,
// is refused with a plain error naming the file. Stream parses the same
// bytes again, so what is submitted is what was checked; data must not
// be changed afterwards.
func Parse(name string, data []byte) (*File, error) {
	sum := sha256.Sum256(data)
	f := &File{
		Name: name,
		Sum:  hex.EncodeToString(sum[:]),
		// The BOM goes before the CSV reader sees it: left in the first
		// field, it would make a quoted header a bare quote.
		data: bytes.TrimPrefix(data, utf8BOM),
	}
	if err := f.check(); err != nil {
		return nil, err
	}
	return f, nil
}

// Column is the 1-based column of a provider in a CSV file, zero when the
// file has none (or is a JSON list).
func (f *File) Column(provider string) int {
	for i, p := range f.Providers {
		if p == provider && i < len(f.columns) {
			return f.columns[i] + 1
		}
	}
	return 0
}

func newCSVReader(data []byte) *csv.Reader {
	r := csv.NewReader(bytes.NewReader(data))
	r.ReuseRecord = true
	return r
}

// seenID is where a provider ID was first found.
type seenID struct {
	where string // "line 3" or a pointer
	key   string
}

// rows checks subject keys and IDs, wherever they come from, and counts
// them into f.
type rows struct {
	f    *File
	p    *problems
	keys map[string]string // where each key was first found
	ids  map[string]map[string]seenID
}

func newRows(f *File, p *problems) *rows {
	return &rows{f: f, p: p, keys: map[string]string{}, ids: map[string]map[string]seenID{}}
}

// key checks a subject's key and says whether its IDs may be compared
// with other subjects'.
func (r *rows) key(a at, where, key string) bool {
	switch keyErr := bulk.CheckKey(key); {
	case key == "":
		r.p.add(a, "the subject is empty")
	case keyErr != nil:
		r.p.add(a, "subject %s: %v", shown(key), keyErr)
	case strings.TrimSpace(key) == "":
		r.p.add(a, "the subject is only white space")
	case strings.TrimSpace(key) != key:
		r.p.add(a, "subject %s has white space around it", shown(key))
	default:
		if first, dup := r.keys[key]; dup {
			r.p.add(a, "subject %s repeats %s", shown(key), first)
			return false
		}
		r.keys[key] = where
		return true
	}
	return false
}

// id checks a subject's non-empty ID at a provider and warns of one
// found under an earlier subject.
func (r *rows) id(a at, where, key string, keyOK bool, provider, id string) {
	if err := bulk.CheckID(id); err != nil {
		r.p.add(a, "%s ID %s: %v", provider, shown(id), err)
		return
	}
	if strings.TrimSpace(id) != id {
		r.p.add(a, "%s ID %s has white space around it", provider, shown(id))
		return
	}
	prov, _ := fleet.Lookup(provider)
	if err := prov.CheckTargetID(id); err != nil {
		r.p.add(a, "%s would refuse ID %s: %s", provider, shown(id), idProblem(err))
		return
	}
	if !keyOK {
		return
	}
	seen := r.ids[provider]
	if seen == nil {
		seen = map[string]seenID{}
		r.ids[provider] = seen
	}
	first, dup := seen[id]
	if !dup {
		seen[id] = seenID{where: where, key: key}
		return
	}
	f := r.f
	f.Duplicated++
	if len(f.Duplicates) < MaxProblems {
		loc := Problem{Line: a.line, Column: a.col, Pointer: a.pointer}.where(f.Name)
		f.Duplicates = append(f.Duplicates, fmt.Sprintf("%s: %s ID %s is also subject %s's (%s)",
			loc, provider, shown(id), shown(first.key), first.where))
	}
}

// counted adds a subject with n IDs.
func (r *rows) counted(n int) {
	r.f.Subjects++
	r.f.Jobs += n
	if n == 0 {
		r.f.IDless++
	}
}

func (f *File) check() error {
	r := newCSVReader(f.data)
	p := &problems{Error{Name: f.Name}}
	line1 := func(col int) at { return at{line: 1, col: col} }

	header, err := r.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return fmt.Errorf("%s: the file is empty: it needs a header \"subject,<provider>,...\"", f.Name)
		}
		f.parseProblem(p, err)
		return p.err()
	}
	header = append([]string(nil), header...)
	for i, name := range header {
		for _, sep := range []struct{ char, name string }{{";", "semicolon"}, {"\t", "tab"}} {
			if strings.Contains(name, sep.char) {
				p.add(line1(i+1), "the header looks %s-separated; the file must be comma-separated (CSV)", sep.name)
				return p.err()
			}
		}
	}
	if strings.TrimSpace(strings.ToLower(header[0])) != "subject" {
		p.add(line1(1), "the first column must be \"subject\", not %s", shown(header[0]))
	}
	seen := map[string]int{}
	for i, name := range header[1:] {
		col := i + 2
		name = strings.TrimSpace(strings.ToLower(name))
		if _, ok := fleet.Lookup(name); !ok {
			p.add(line1(col), "unknown column %s: provider columns are %s", shown(header[col-1]), strings.Join(fleet.Names(), ", "))
			continue
		}
		if first, dup := seen[name]; dup {
			p.add(line1(col), "column %q repeats column %d", name, first)
			continue
		}
		seen[name] = col
		f.Providers = append(f.Providers, name)
		f.columns = append(f.columns, col-1)
	}
	if len(header) < 2 {
		p.add(line1(1), "no provider column: the header is \"subject,<provider>,...\" with any of %s", strings.Join(fleet.Names(), ", "))
	}
	if p.Count > 0 {
		return p.err()
	}

	rs := newRows(f, p)
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrFieldCount) {
				p.add(at{line: pe.Line, col: 1}, "wrong number of fields: %d, the header has %d", len(rec), len(header))
				continue
			}
			// A quoting error leaves the reader lost: stop here.
			f.parseProblem(p, err)
			break
		}
		// FieldPos is only valid after a successful Read.
		line, _ := r.FieldPos(0)
		where := "line " + strconv.Itoa(line)
		key := rec[0]
		keyOK := rs.key(at{line: line, col: 1}, where, key)
		n := 0
		for i, name := range f.Providers {
			col := f.columns[i]
			if rec[col] == "" {
				continue
			}
			n++
			rs.id(at{line: line, col: col + 1}, where, key, keyOK, name, rec[col])
		}
		rs.counted(n)
	}
	if err := p.err(); err != nil {
		return err
	}
	if f.Subjects == 0 {
		return fmt.Errorf("%s: no subjects after the header", f.Name)
	}
	return nil
}

// parseProblem adds a quoting error at its line and column. A quote never
// closed is reported where it opens: the reader only notices it at the
// end of the file.
func (f *File) parseProblem(p *problems, err error) {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		p.add(at{line: 1, col: 1}, "%v", err)
		return
	}
	if errors.Is(pe.Err, csv.ErrQuote) && atEnd(f.data, pe.Line, pe.Column) {
		if line, col, ok := unclosedQuote(f.data, pe.StartLine); ok {
			p.add(at{line: line, col: col}, "%v: this quote is never closed", pe.Err)
			return
		}
	}
	p.add(at{line: pe.Line, col: pe.Column}, "%v", pe.Err)
}

// atEnd says whether a line and column of encoding/csv are past the last
// character of data (it counts a CRLF as one byte).
func atEnd(data []byte, line, col int) bool {
	i, ok := lineOffset(data, line)
	return !ok || i+col-1 >= len(bytes.TrimRight(data, "\r\n"))
}

// lineOffset is where a 1-based line starts in data.
func lineOffset(data []byte, line int) (int, bool) {
	i := 0
	for l := 1; l < line; l++ {
		j := bytes.IndexByte(data[i:], '\n')
		if j < 0 {
			return 0, false
		}
		i += j + 1
	}
	return i, true
}

// unclosedQuote finds, in the record starting on line start, a quoted
// field that runs to the end of data, and returns where its quote is (a
// 1-based line and byte column, as encoding/csv counts them).
func unclosedQuote(data []byte, start int) (line, col int, ok bool) {
	i, ok := lineOffset(data, start)
	if !ok {
		return 0, 0, false
	}
	line, lineStart := start, i
	for i < len(data) {
		if data[i] != '"' {
			// An unquoted field: it ends at a comma or at the end of the
			// record.
			for i < len(data) && data[i] != ',' && data[i] != '\n' {
				i++
			}
			if i == len(data) || data[i] == '\n' {
				return 0, 0, false
			}
			i++
			continue
		}
		qLine, qCol := line, i-lineStart+1
		i++
		for {
			j := bytes.IndexByte(data[i:], '"')
			if j < 0 {
				return qLine, qCol, true
			}
			for _, c := range data[i : i+j] {
				i++
				if c == '\n' {
					line, lineStart = line+1, i
				}
			}
			i++ // the quote
			if i < len(data) && data[i] == '"' {
				i++
				continue
			}
			break
		}
		for i < len(data) && data[i] != ',' && data[i] != '\n' {
			i++
		}
		if i == len(data) || data[i] == '\n' {
			return 0, 0, false
		}
		i++
	}
	return 0, 0, false
}

// shown quotes s for a message: escaped, so that no control character
// reaches the terminal, and cut when long.
func shown(s string) string {
	const max = 64
	if len(s) <= max {
		return strconv.Quote(s)
	}
	cut := max
	for cut > max-utf8.UTFMax && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + fmt.Sprintf("... (%d bytes)", len(s))
}

// idProblem is what a provider's ID rule said, without the provider and
// operation prefix it repeats.
func idProblem(err error) string {
	var ae *restrict.APIError
	if errors.As(err, &ae) {
		if ae.Message != "" {
			return ae.Message
		}
	}
	return err.Error()
}

// Stream yields the subjects for Submit: a CSV file's parsed again from
// the bytes that were checked, never from the file; a JSON list's as
// checked.
func (f *File) Stream() iter.Seq2[bulk.Subject, error] {
	if f.list != nil {
		return f.streamList()
	}
	return func(yield func(bulk.Subject, error) bool) {
		r := newCSVReader(f.data)
		if _, err := r.Read(); err != nil {
			yield(bulk.Subject{}, fmt.Errorf("%s: %w", f.Name, err))
			return
		}
		for {
			rec, err := r.Read()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				yield(bulk.Subject{}, fmt.Errorf("%s: %w", f.Name, err))
				return
			}
			s := bulk.Subject{Key: rec[0], IDs: make(map[string]string, len(f.Providers))}
			for i, name := range f.Providers {
				if id := rec[f.columns[i]]; id != "" {
					s.IDs[name] = id
				}
			}
			if !yield(s, nil) {
				return
			}
		}
	}
}

// Warnings are what a person submitting f should read first, though
// nothing is wrong enough to refuse it: the IDs under two subjects (that
// customer is called twice) and the subjects without any ID.
func (f *File) Warnings() []string {
	out := slices.Clone(f.Duplicates)
	if more := f.Duplicated - len(f.Duplicates); more > 0 {
		out = append(out, fmt.Sprintf("... and %d more IDs under two subjects", more))
	}
	if f.Duplicated > 0 {
		out = append(out, "a customer whose ID is under two subjects is called twice")
	}
	if f.IDless > 0 {
		out = append(out, fmt.Sprintf("%d subjects have no ID at any provider: nothing to do for them", f.IDless))
	}
	return out
}
