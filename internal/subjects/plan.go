package subjects

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/bulk"
)

// Plan is what a run will do, worked out before anything is written.
type Plan struct {
	Run      string         `json:"run"`
	Action   restrict.Op    `json:"action"`
	Reason   string         `json:"reason,omitempty"`
	Subjects int            `json:"subjects"`
	Jobs     map[string]int `json:"jobs"` // per provider
	// Resumes is the unfinished run this one resumes; Follows the
	// finished run of the same action and file that this one follows.
	Resumes *bulk.RunInfo `json:"resumes,omitempty"`
	Follows *bulk.RunInfo `json:"follows,omitempty"`
}

// Runs reads runs by name; *bulk.Reader and *bulk.Engine are Runs.
type Runs interface {
	Run(ctx context.Context, name string) (*bulk.RunInfo, error)
}

// FinishedError refuses an explicit name of a finished run: submitting it
// would send nothing, which is not what whoever named it meant.
type FinishedError struct {
	Run        string
	FinishedAt time.Time
}

// Error names the run and when it finished.
func (e *FinishedError) Error() string {
	return fmt.Sprintf("run %q finished at %s", e.Run, e.FinishedAt.UTC().Format(time.RFC3339))
}

// NewPlan decides the run's name and counts its jobs, reading runs
// without writing them (nil runs: a new database, where every run is
// new). An explicit name resumes that run while it is unfinished and is
// refused with a *FinishedError once it has finished. The default name,
// the action and the first 12 hex digits of f.Sum, resumes the last run
// of this action and list while it is unfinished; once it has finished,
// the next numbered name (-2, -3, ...) starts a new run that follows it.
func NewPlan(ctx context.Context, runs Runs, op restrict.Op, name, reason string, f *File) (*Plan, error) {
	switch op {
	case restrict.OpRestrict, restrict.OpLift, restrict.OpStatus:
	default:
		return nil, fmt.Errorf("action %q: want restrict, lift or status", op)
	}
	if name != "" {
		if err := bulk.CheckKey(name); err != nil {
			return nil, fmt.Errorf("name: %w", err)
		}
	}
	pl := &Plan{Action: op, Reason: reason, Subjects: f.Subjects, Jobs: map[string]int{}}
	for s, err := range f.Stream() {
		if err != nil {
			return nil, err
		}
		for p := range s.IDs {
			pl.Jobs[p]++
		}
	}
	base := name
	if base == "" {
		base = string(op) + "-" + f.Sum[:12]
	}
	pl.Run = base
	if runs == nil {
		return pl, nil
	}
	if name != "" {
		ri, err := runs.Run(ctx, name)
		switch {
		case errors.Is(err, bulk.ErrRunNotFound):
		case err != nil:
			return nil, fmt.Errorf("reading run %s: %w", name, err)
		case ri.Finished():
			return nil, &FinishedError{Run: name, FinishedAt: ri.FinishedAt}
		default:
			pl.Resumes = ri
		}
		return pl, nil
	}
	var last *bulk.RunInfo
	for n := 1; ; n++ {
		try := base
		if n > 1 {
			try = fmt.Sprintf("%s-%d", base, n)
		}
		ri, err := runs.Run(ctx, try)
		if errors.Is(err, bulk.ErrRunNotFound) {
			pl.Run = try
			if last != nil && !last.Finished() {
				pl.Run, pl.Resumes = last.Name, last
			} else {
				pl.Follows = last
			}
			return pl, nil
		}
		if err != nil {
			return nil, fmt.Errorf("reading run %s: %w", try, err)
		}
		last = ri
	}
}
