package main

import (
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"strings"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/bulk"
	"github.com/restrictkit/restrict/internal/fleet"
)

// maxProblems is how many problems of a subjects file are listed before
// the rest are only counted.
const maxProblems = 20

// subjectsFile is a checked CSV of subjects. Its header is "subject"
// followed by provider package names (any subset, any order); each row is
// a subject's key and its ID at each of those providers, empty where it
// has none.
type subjectsFile struct {
	path      string
	providers []string // the provider columns, in file order
	columns   []int    // each provider's column index
	sum       string   // the content's SHA-256, hex
	subjects  int
	jobs      int
	idless    int // subjects without an ID at any provider
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

// checkSubjects reads the whole file once, streaming, and refuses it with
// every problem's line and column (up to maxProblems) before anything is
// submitted: an unknown or repeated column, a row of the wrong width, a
// missing or repeated subject, an ID with white space around it, and an ID
// its provider would refuse (the provider's CheckTargetID).
func checkSubjects(path string) (*subjectsFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, usagef("--subjects: %v", err)
	}
	defer f.Close()
	h := sha256.New()
	r := csv.NewReader(io.TeeReader(f, h))
	r.ReuseRecord = true
	p := &problems{path: path}
	sf := &subjectsFile{path: path}

	header, err := r.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, usagef("%s: the file is empty: it needs a header \"subject,<provider>,...\"", path)
		}
		return nil, usagef("%s: %v", path, csvProblem(err))
	}
	header = append([]string(nil), header...)
	header[0] = strings.TrimPrefix(header[0], "\ufeff")
	if strings.TrimSpace(strings.ToLower(header[0])) != "subject" {
		p.add(1, 1, "the first column must be \"subject\", not %q", header[0])
	}
	seen := map[string]int{}
	for i, name := range header[1:] {
		col := i + 2
		name = strings.TrimSpace(strings.ToLower(name))
		if _, ok := fleet.Lookup(name); !ok {
			p.add(1, col, "unknown column %q: provider columns are %s", header[col-1], strings.Join(fleet.Names(), ", "))
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
		return nil, p.err()
	}

	keys := map[string]int{}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := r.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				p.add(pe.Line, pe.Column, "%v", csvProblem(err))
				if !errors.Is(pe.Err, csv.ErrFieldCount) {
					// A quoting error leaves the reader lost: stop here.
					break
				}
				continue
			}
			return nil, usagef("%s: %v", path, err)
		}
		key := rec[0]
		switch {
		case strings.TrimSpace(key) == "":
			p.add(line, 1, "the subject is empty")
		case strings.TrimSpace(key) != key:
			p.add(line, 1, "subject %q has white space around it", key)
		default:
			if first, dup := keys[key]; dup {
				p.add(line, 1, "subject %q repeats line %d", key, first)
			} else {
				keys[key] = line
			}
		}
		ids := 0
		for i, name := range sf.providers {
			col := sf.columns[i]
			id := rec[col]
			if id == "" {
				continue
			}
			ids++
			if strings.TrimSpace(id) != id {
				p.add(line, col+1, "%s ID %q has white space around it", name, id)
				continue
			}
			prov, _ := fleet.Lookup(name)
			if err := prov.CheckTargetID(id); err != nil {
				p.add(line, col+1, "%s would refuse ID %q: %s", name, id, idProblem(err))
			}
		}
		sf.subjects++
		sf.jobs += ids
		if ids == 0 {
			sf.idless++
		}
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	if sf.subjects == 0 {
		return nil, usagef("%s: no subjects after the header", path)
	}
	sf.sum = hex.EncodeToString(h.Sum(nil))
	return sf, nil
}

// csvProblem words a CSV error without repeating the file's text.
func csvProblem(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
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

// stream yields the file's subjects for Submit, one row at a time, so a
// run of any size is never held in memory. The file was checked already;
// a change since (the hash differs) is an error, not a different run.
func (sf *subjectsFile) stream() iter.Seq2[bulk.Subject, error] {
	return func(yield func(bulk.Subject, error) bool) {
		f, err := os.Open(sf.path)
		if err != nil {
			yield(bulk.Subject{}, err)
			return
		}
		defer f.Close()
		h := sha256.New()
		r := csv.NewReader(io.TeeReader(f, h))
		r.ReuseRecord = true
		if _, err := r.Read(); err != nil {
			yield(bulk.Subject{}, err)
			return
		}
		for {
			rec, err := r.Read()
			if errors.Is(err, io.EOF) {
				break
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
		if hex.EncodeToString(h.Sum(nil)) != sf.sum {
			yield(bulk.Subject{}, fmt.Errorf("%s changed while it was being submitted", sf.path))
		}
	}
}
