package console

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/bulk"
	"github.com/restrictkit/restrict/internal/fleet"
	"github.com/restrictkit/restrict/internal/subjects"
)

// runInput is a new run as a page's form or the API gives it: the
// subjects as a CSV (the command's subjects file) or as a JSON list.
type runInput struct {
	Name     string
	Action   string
	Reason   string
	CSV      []byte
	FileName string // how problems of CSV name it; "subjects.csv" when empty
	JSON     []subjects.Subject
	IsJSON   bool // the subjects are JSON, even an empty list
}

// preparedRun is a run checked and planned, nothing written yet: what
// submitRun submits is exactly what was checked.
type preparedRun struct {
	Op   restrict.Op
	File *subjects.File
	Plan *subjects.Plan
}

// inputError refuses a new run with every problem and its place, before
// anything is written.
type inputError struct {
	Problems []fieldProblem
	// Count is how many problems there are; Problems holds the first
	// subjects.MaxProblems of a file's.
	Count int
}

func (e *inputError) Error() string {
	return fmt.Sprintf("the run has %d problems; nothing was submitted", e.Count)
}

// refuse is an inputError of one problem at a JSON pointer (or a form
// field's name).
func refuse(pointer, format string, args ...any) *inputError {
	return &inputError{Problems: []fieldProblem{{Pointer: pointer, Message: fmt.Sprintf(format, args...)}}, Count: 1}
}

// prepareRun checks a new run as "restrict run" does (the action, the
// name, every cell of the subjects, a provider column without
// credentials on this server) and plans it: its name (the default one
// resumes an unfinished run of the same action and subjects, and follows
// a finished one with the next number) and its jobs per provider. Its
// errors are an *inputError, a *subjects.FinishedError (a name given of a
// finished run), or the database's.
func (s *Server) prepareRun(ctx context.Context, in runInput) (*preparedRun, error) {
	op := restrict.Op(in.Action)
	switch op {
	case restrict.OpRestrict, restrict.OpLift, restrict.OpStatus:
	default:
		return nil, refuse("action", "want restrict, lift or status")
	}
	if in.Name != "" {
		if err := bulk.CheckKey(in.Name); err != nil {
			return nil, refuse("name", "%v", err)
		}
	}
	var f *subjects.File
	var err error
	if in.IsJSON {
		f, err = subjects.FromJSON(in.JSON)
	} else {
		name := in.FileName
		if name == "" {
			name = "subjects.csv"
		}
		// A copy: Parse keeps the bytes it checks, and those are what
		// is submitted, whatever the caller does with its own.
		f, err = subjects.Parse(name, bytes.Clone(in.CSV))
	}
	var se *subjects.Error
	switch {
	case errors.As(err, &se):
		return nil, fromSubjectsError(se)
	case err != nil:
		// An empty file, one without subjects, one too big: refusals of
		// the whole, named by the file.
		return nil, refuse("subjects", "%v", err)
	}
	var missing inputError
	for _, p := range f.Providers {
		if slices.Contains(s.cfg.Providers, p) {
			continue
		}
		msg := fmt.Sprintf("%s is not configured on this server: its %s* credentials are not set", p, fleet.Prefix(p))
		fp := fieldProblem{Message: msg}
		if in.IsJSON {
			fp.Pointer = "/subjects"
		} else {
			fp.Line, fp.Column = 1, f.Column(p)
		}
		missing.Problems = append(missing.Problems, fp)
		missing.Count++
	}
	if missing.Count > 0 {
		return nil, &missing
	}
	pl, err := subjects.NewPlan(ctx, s.cfg.Engine, op, in.Name, in.Reason, f)
	if err != nil {
		return nil, err
	}
	return &preparedRun{Op: op, File: f, Plan: pl}, nil
}

func fromSubjectsError(se *subjects.Error) *inputError {
	out := &inputError{Count: se.Count}
	for _, p := range se.Problems {
		out.Problems = append(out.Problems, fieldProblem{Line: p.Line, Column: p.Column, Pointer: p.Pointer, Message: p.Message})
	}
	return out
}

// submitRun submits a prepared run on behalf of p, recording p's name as
// who submitted it. The submission outlives the request: a client that
// goes away does not cut a run short. Its errors are bulk's refusals
// (*bulk.RunFinishedError, *bulk.ConflictError) or the database's.
func (s *Server) submitRun(ctx context.Context, p *principal, pr *preparedRun) (*bulk.RunInfo, error) {
	ctx = context.WithoutCancel(ctx)
	run := bulk.Run{Name: pr.Plan.Run, Op: pr.Op, Reason: pr.Plan.Reason, Providers: pr.File.Providers, SubmittedBy: p.Name}
	sub, err := s.cfg.Engine.Submit(ctx, run, pr.File.Stream())
	if err != nil {
		return nil, err
	}
	s.log.Info("run submitted", "run", run.Name, "action", string(run.Op), "by", p.Name,
		"subjects", sub.Subjects, "jobs_added", sub.Jobs, "jobs_existing", sub.Existing)
	return s.cfg.Engine.Run(ctx, run.Name)
}
