// Package subjects checks the list of subjects a run is submitted with, a
// CSV file or a JSON list, and plans the run: the command and the console
// refuse the same lists with the same words.
package subjects

import (
	"fmt"
	"strings"
)

// MaxProblems is how many problems of a list are kept in full, and how
// many duplicate-ID warnings, before the rest are only counted.
const MaxProblems = 20

// Problem is one thing wrong with a list of subjects: in a CSV file at a
// 1-based line and column, in a JSON list at a JSON pointer (RFC 6901)
// with Line and Column zero. Message carries no raw control character.
type Problem struct {
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Pointer string `json:"pointer,omitempty"`
	Message string `json:"message"`
}

// where is the problem's place as the command prints it: "name:line:col"
// or the pointer.
func (p Problem) where(name string) string {
	if p.Pointer != "" {
		return p.Pointer
	}
	return fmt.Sprintf("%s:%d:%d", name, p.Line, p.Column)
}

// Error refuses a list of subjects: its first MaxProblems problems, in
// order, and how many there are in all. Nothing is submitted from a list
// with a problem.
type Error struct {
	Name     string // the file's name, as given to Parse or ReadFile
	Problems []Problem
	Count    int
}

// Error lists the problems, one a line, each with its line and column or
// pointer.
func (e *Error) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.where(e.Name) + ": " + p.Message
	}
	msg := strings.Join(lines, "\n")
	if e.Count > len(e.Problems) {
		msg += fmt.Sprintf("\n... and %d more", e.Count-len(e.Problems))
	}
	noun := "problems"
	if e.Count == 1 {
		noun = "problem"
	}
	return fmt.Sprintf("the subjects file has %d %s; nothing was submitted:\n%s", e.Count, noun, msg)
}

// at is where in a list something is: a line and column of a CSV file,
// or a JSON pointer.
type at struct {
	line, col int
	pointer   string
}

// problems collects what is wrong with a list, the first MaxProblems in
// full.
type problems struct {
	Error
}

func (p *problems) add(a at, format string, args ...any) {
	p.Count++
	if len(p.Problems) < MaxProblems {
		p.Problems = append(p.Problems, Problem{Line: a.line, Column: a.col, Pointer: a.pointer, Message: fmt.Sprintf(format, args...)})
	}
}

func (p *problems) err() error {
	if p.Count == 0 {
		return nil
	}
	e := p.Error
	return &e
}
