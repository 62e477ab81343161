package console

import (
	"context"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/bulk"
	"github.com/restrictkit/restrict/internal/subjects"
)

type runInput struct {
	Name, Action, Reason string
	CSV                  []byte
	FileName             string
	JSON                 []subjects.Subject
}

type preparedRun struct {
	Plan *subjects.Plan
	file *subjects.File
}

func (s *Server) prepareRun(ctx context.Context, p *principal, in runInput) (*preparedRun, error) {
	var f *subjects.File
	var err error
	if in.JSON != nil {
		f, err = subjects.FromJSON(in.JSON)
	} else {
		f, err = subjects.Parse(in.FileName, in.CSV)
	}
	if err != nil {
		return nil, err
	}
	pl, err := subjects.NewPlan(ctx, s.cfg.Engine, restrict.Op(in.Action), in.Name, in.Reason, f)
	if err != nil {
		return nil, err
	}
	return &preparedRun{Plan: pl, file: f}, nil
}

func (s *Server) submitRun(ctx context.Context, p *principal, pr *preparedRun) (*bulk.RunInfo, error) {
	_, err := s.cfg.Engine.Submit(ctx, bulk.Run{Name: pr.Plan.Run, Op: pr.Plan.Action, Reason: pr.Plan.Reason, Providers: pr.file.Providers, SubmittedBy: who(p)}, pr.file.Stream())
	if err != nil {
		return nil, err
	}
	return s.cfg.Engine.Run(ctx, pr.Plan.Run)
}
