package main

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
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/bulk"
	"github.com/restrictkit/restrict/internal/fleet"
)

// maxProblems is how many problems of a subjects file are listed before
// the rest are only counted.
const maxProblems = 20

// maxSubjectsBytes bounds the subjects file, which is held in memory so
// that what is submitted is exactly what was checked. Real files are a few
// tens of MB; a bigger one is more likely a mistake than a run.
const maxSubjectsBytes = 256 << 20

var utf8BOM = []byte("\ufeff")

// subjectsFile is a checked CSV of subjects. Its header is "subject"
// followed by provider package names (any subset, any order); each row is
// a subject's key and its ID at each of those providers, empty where it
// has none.
type subjectsFile struct {
	path      string
	providers []string // the provider columns, in file order
	columns   []int    // each provider's column index
	sum       string   // the SHA-256 of the bytes read, hex
	subjects  int
	jobs      int
	idless    int // subjects without an ID at any provider

	// duplicates warns of provider IDs found under two subject keys (that
	// customer would be called twice), the first maxProblems of them;
	// duplicated counts them all.
	duplicates []string
	duplicated int

	data []byte // the checked bytes without a BOM: what stream parses
}

// problems collects what is wrong with a file, each with its line and
// column, the first maxProblems in full.
type problems struct {
	path  string
	list  []string
	count int
}

func (p *problems) add(line, col int, format string, args ...any) {
	p.count++
	if len(p.list) < maxProblems {
		p.list = append(p.list, fmt.Sprintf("%s:%d:%d: %s", p.path, line, col, fmt.Sprintf(format, args...)))
	}
}

func (p *problems) err() error {
	if p.count == 0 {
		return nil
	}
	msg := strings.Join(p.list, "\n")
	if p.count > len(p.list) {
		msg += fmt.Sprintf("\n... and %d more", p.count-len(p.list))
	}
	noun := "problems"
	if p.count == 1 {
		noun = "problem"
	}
	return usagef("the subjects file has %d %s; nothing was submitted:\n%s", p.count, noun, msg)
}

// readSubjects reads the file into memory once and refuses it with every
// problem's line and column (up to maxProblems) before anything is
// submitted: a quoting error, an unknown or repeated column, a row of the
// wrong width, a missing, repeated or unstorable subject key, an ID with
// white space around it or one its provider would refuse (the provider's
// CheckTargetID). stream parses the same bytes again, so a file changed
// after the check changes nothing that is submitted.
func readSubjects(path string) (*subjectsFile, error) {
	raw, err := readLimited(path)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(raw)
	sf := &subjectsFile{
		path: path,
		sum:  hex.EncodeToString(sum[:]),
		// The BOM goes before the CSV reader sees it: left in the first
		// field, it would make a quoted header a bare quote.
		data: bytes.TrimPrefix(raw, utf8BOM),
	}
	if err := sf.check(); err != nil {
		return nil, err
	}
	return sf, nil
}

func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, usagef("--subjects: %v", err)
	}
	defer f.Close()
	tooBig := usagef("%s: the file is over %d MiB: split it into several runs", path, maxSubjectsBytes>>20)
	var buf bytes.Buffer
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
		if fi.Size() > maxSubjectsBytes {
			return nil, tooBig
		}
		buf.Grow(int(fi.Size()) + bytes.MinRead)
	}
	if _, err := buf.ReadFrom(io.LimitReader(f, maxSubjectsBytes+1)); err != nil {
		return nil, usagef("--subjects: %v", err)
	}
	if buf.Len() > maxSubjectsBytes {
		return nil, tooBig
	}
	return buf.Bytes(), nil
}

func newCSVReader(data []byte) *csv.Reader {
	r := csv.NewReader(bytes.NewReader(data))
	r.ReuseRecord = true
	return r
}

// seenID is where a provider ID was first found.
type seenID struct {
	line int
	key  string
}

func (sf *subjectsFile) check() error {
	r := newCSVReader(sf.data)
	p := &problems{path: sf.path}

	header, err := r.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return usagef("%s: the file is empty: it needs a header \"subject,<provider>,...\"", sf.path)
		}
		sf.parseProblem(p, err)
		return p.err()
	}
	header = append([]string(nil), header...)
	for i, name := range header {
		for _, sep := range []struct{ char, name string }{{";", "semicolon"}, {"\t", "tab"}} {
			if strings.Contains(name, sep.char) {
				p.add(1, i+1, "the header looks %s-separated; the file must be comma-separated (CSV)", sep.name)
				return p.err()
			}
		}
	}
	if strings.TrimSpace(strings.ToLower(header[0])) != "subject" {
		p.add(1, 1, "the first column must be \"subject\", not %s", shown(header[0]))
	}
	seen := map[string]int{}
	for i, name := range header[1:] {
		col := i + 2
		name = strings.TrimSpace(strings.ToLower(name))
		if _, ok := fleet.Lookup(name); !ok {
			p.add(1, col, "unknown column %s: provider columns are %s", shown(header[col-1]), strings.Join(fleet.Names(), ", "))
			continue
		}
		if first, dup := seen[name]; dup {
			p.add(1, col, "column %q repeats column %d", name, first)
			continue
		}
		seen[name] = col
		sf.providers = append(sf.providers, name)
		sf.columns = append(sf.columns, col-1)
	}
	if len(header) < 2 {
		p.add(1, 1, "no provider column: the header is \"subject,<provider>,...\" with any of %s", strings.Join(fleet.Names(), ", "))
	}
	if p.count > 0 {
		return p.err()
	}

	keys := map[string]int{}
	ids := make([]map[string]seenID, len(sf.providers))
	for i := range ids {
		ids[i] = map[string]seenID{}
	}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrFieldCount) {
				p.add(pe.Line, 1, "wrong number of fields: %d, the header has %d", len(rec), len(header))
				continue
			}
			// A quoting error leaves the reader lost: stop here.
			sf.parseProblem(p, err)
			break
		}
		// FieldPos is only valid after a successful Read.
		line, _ := r.FieldPos(0)
		key := rec[0]
		keyOK := false
		switch keyErr := bulk.CheckKey(key); {
		case key == "":
			p.add(line, 1, "the subject is empty")
		case keyErr != nil:
			p.add(line, 1, "subject %s: %v", shown(key), keyErr)
		case strings.TrimSpace(key) == "":
			p.add(line, 1, "the subject is only white space")
		case strings.TrimSpace(key) != key:
			p.add(line, 1, "subject %s has white space around it", shown(key))
		default:
			if first, dup := keys[key]; dup {
				p.add(line, 1, "subject %s repeats line %d", shown(key), first)
			} else {
				keys[key] = line
				keyOK = true
			}
		}
		n := 0
		for i, name := range sf.providers {
			col := sf.columns[i]
			id := rec[col]
			if id == "" {
				continue
			}
			n++
			if err := bulk.CheckID(id); err != nil {
				p.add(line, col+1, "%s ID %s: %v", name, shown(id), err)
				continue
			}
			if strings.TrimSpace(id) != id {
				p.add(line, col+1, "%s ID %s has white space around it", name, shown(id))
				continue
			}
			prov, _ := fleet.Lookup(name)
			if err := prov.CheckTargetID(id); err != nil {
				p.add(line, col+1, "%s would refuse ID %s: %s", name, shown(id), idProblem(err))
				continue
			}
			if !keyOK {
				continue
			}
			if first, dup := ids[i][id]; dup {
				sf.duplicated++
				if len(sf.duplicates) < maxProblems {
					sf.duplicates = append(sf.duplicates, fmt.Sprintf("%s:%d:%d: %s ID %s is also subject %s's (line %d)",
						sf.path, line, col+1, name, shown(id), shown(first.key), first.line))
				}
			} else {
				ids[i][id] = seenID{line: line, key: key}
			}
		}
		sf.subjects++
		sf.jobs += n
		if n == 0 {
			sf.idless++
		}
	}
	if err := p.err(); err != nil {
		return err
	}
	if sf.subjects == 0 {
		return usagef("%s: no subjects after the header", sf.path)
	}
	return nil
}

// parseProblem adds a quoting error at its line and column. A quote never
// closed is reported where it opens: the reader only notices it at the
// end of the file.
func (sf *subjectsFile) parseProblem(p *problems, err error) {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		p.add(1, 1, "%v", err)
		return
	}
	if errors.Is(pe.Err, csv.ErrQuote) && atEnd(sf.data, pe.Line, pe.Column) {
		if line, col, ok := unclosedQuote(sf.data, pe.StartLine); ok {
			p.add(line, col, "%v: this quote is never closed", pe.Err)
			return
		}
	}
	p.add(pe.Line, pe.Column, "%v", pe.Err)
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

// stream yields the file's subjects for Submit, parsed again from the
// bytes that were checked, never from the file.
func (sf *subjectsFile) stream() iter.Seq2[bulk.Subject, error] {
	return func(yield func(bulk.Subject, error) bool) {
		r := newCSVReader(sf.data)
		if _, err := r.Read(); err != nil {
			yield(bulk.Subject{}, fmt.Errorf("%s: %w", sf.path, err))
			return
		}
		for {
			rec, err := r.Read()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				yield(bulk.Subject{}, fmt.Errorf("%s: %w", sf.path, err))
				return
			}
			s := bulk.Subject{Key: rec[0], IDs: make(map[string]string, len(sf.providers))}
			for i, name := range sf.providers {
				if id := rec[sf.columns[i]]; id != "" {
					s.IDs[name] = id
				}
			}
			if !yield(s, nil) {
				return
			}
		}
	}
}
