package console

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/restrictkit/restrict/bulk"
	"github.com/restrictkit/restrict/internal/subjects"
)

// runDetail is a run with its progress: the answer of GET and of a
// submission.
type runDetail struct {
	Run      *bulk.RunInfo  `json:"run"`
	Progress *bulk.Progress `json:"progress"`
	// Warnings are the submission's (subjects.File.Warnings), on the
	// answer of a submission only.
	Warnings []string `json:"warnings,omitempty"`
}

// apiRuns answers every run, oldest first.
func (s *Server) apiRuns(w http.ResponseWriter, r *http.Request, _ *principal) {
	runs, err := s.cfg.Engine.Runs(r.Context())
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	if runs == nil {
		runs = []bulk.RunInfo{}
	}
	for i := range runs {
		normalizeRun(&runs[i])
	}
	writeJSON(w, http.StatusOK, map[string]any{"runs": runs})
}

// apiRun answers a run and its progress.
func (s *Server) apiRun(w http.ResponseWriter, r *http.Request, _ *principal) {
	ri, ok := s.apiRunInfo(w, r)
	if !ok {
		return
	}
	d, err := s.runDetail(r, ri)
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

// apiRunInfo reads the run the path names, or answers 404.
func (s *Server) apiRunInfo(w http.ResponseWriter, r *http.Request) (*bulk.RunInfo, bool) {
	name := r.PathValue("name")
	ri, err := s.cfg.Engine.Run(r.Context(), name)
	switch {
	case errors.Is(err, bulk.ErrRunNotFound):
		writeProblem(w, http.StatusNotFound, "run-not-found", "No such run", "No run of that name was ever submitted.")
		return nil, false
	case err != nil:
		s.internalError(w, r, err)
		return nil, false
	}
	return ri, true
}

// runDetail reads ri's progress.
func (s *Server) runDetail(r *http.Request, ri *bulk.RunInfo) (*runDetail, error) {
	pr, err := s.cfg.Engine.Progress(r.Context(), ri.Name)
	if err != nil {
		return nil, err
	}
	if pr.Providers == nil {
		pr.Providers = []bulk.Counts{}
	}
	normalizeRun(ri)
	return &runDetail{Run: ri, Progress: pr}, nil
}

// normalizeRun makes a run without providers list none, not null, as
// the document promises an array.
func normalizeRun(ri *bulk.RunInfo) {
	if ri.Providers == nil {
		ri.Providers = []string{}
	}
}

func sortedQueryKeys(q url.Values) []string {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// createRun is the JSON body of POST /api/v1/runs.
type createRun struct {
	Name     string             `json:"name"`
	Action   string             `json:"action"`
	Reason   string             `json:"reason"`
	DryRun   bool               `json:"dry_run"`
	Subjects []subjects.Subject `json:"subjects"`
}

// csvRunParams are the query parameters of a text/csv submission: the
// body is only the subjects file.
var csvRunParams = []string{"action", "reason", "name", "dry_run"}

// apiCreateRun checks, plans and (unless a dry run) submits a run, with
// the command's checks and refusals, from a JSON body or a CSV file.
func (s *Server) apiCreateRun(w http.ResponseWriter, r *http.Request, p *principal) {
	in, dryRun, ok := s.readRunRequest(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	pr, err := s.prepareRun(ctx, in)
	if err != nil {
		s.refuseRun(w, r, in.IsJSON, err)
		return
	}
	if pr.Plan.Resumes != nil {
		normalizeRun(pr.Plan.Resumes)
	}
	if pr.Plan.Follows != nil {
		normalizeRun(pr.Plan.Follows)
	}
	if dryRun {
		warnings := pr.File.Warnings()
		if warnings == nil {
			warnings = []string{}
		}
		writeJSON(w, http.StatusOK, map[string]any{"plan": pr.Plan, "warnings": warnings})
		return
	}
	ri, err := s.submitRun(ctx, p, pr)
	if err != nil {
		s.refuseRun(w, r, in.IsJSON, err)
		return
	}
	d, err := s.runDetail(r, ri)
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	d.Warnings = pr.File.Warnings()
	w.Header().Set("Location", "/api/v1/runs/"+url.PathEscape(ri.Name))
	writeJSON(w, http.StatusCreated, d)
}

// readRunRequest reads a submission, JSON or CSV, into the lead's
// runInput, or answers why not. Where a field is named depends on where
// it came from: a JSON pointer into the body, or ?param.
func (s *Server) readRunRequest(w http.ResponseWriter, r *http.Request) (runInput, bool, bool) {
	var in runInput
	mt := mediaType(r)
	if mt != "application/json" && mt != "text/csv" {
		writeProblem(w, http.StatusUnsupportedMediaType, "unsupported-media-type", "Unsupported media type",
			"A run is sent as application/json, or its subjects as text/csv.")
		return in, false, false
	}
	q := r.URL.Query()
	var problems []fieldProblem
	for _, k := range sortedQueryKeys(q) {
		if mt == "application/json" {
			problems = append(problems, fieldProblem{Pointer: "?" + k, Message: "a JSON submission has its fields in the body"})
		} else if !slices.Contains(csvRunParams, k) {
			problems = append(problems, fieldProblem{Pointer: "?" + k, Message: "unknown parameter"})
		}
	}
	dryRun := false
	if d := q.Get("dry_run"); d != "" && mt == "text/csv" {
		var err error
		if dryRun, err = strconv.ParseBool(d); err != nil {
			problems = append(problems, fieldProblem{Pointer: "?dry_run", Message: "want true or false"})
		}
	}
	if len(problems) > 0 {
		writeProblem(w, http.StatusBadRequest, "invalid-query", "Invalid query", "", problems...)
		return in, false, false
	}
	body, ok := readAPIBody(w, r, maxUpload)
	if !ok {
		return in, false, false
	}
	if mt == "text/csv" {
		in = runInput{Name: q.Get("name"), Action: q.Get("action"), Reason: q.Get("reason"), CSV: body, FileName: "subjects.csv"}
	} else {
		var c createRun
		if fp := decodeStrict(body, &c); fp != nil {
			writeProblem(w, http.StatusBadRequest, "invalid-body", "Invalid body", "", *fp)
			return in, false, false
		}
		in = runInput{Name: c.Name, Action: c.Action, Reason: c.Reason, JSON: c.Subjects, IsJSON: true}
		dryRun = c.DryRun
	}
	return in, dryRun, true
}

// refuseRun answers a submission's refusal: every problem of the run or
// of its subjects, a finished or conflicting run of that name, or a
// failure.
func (s *Server) refuseRun(w http.ResponseWriter, r *http.Request, isJSON bool, err error) {
	var bad *inputError
	var planned *subjects.FinishedError
	var finished *bulk.RunFinishedError
	var conflict *bulk.ConflictError
	switch {
	case errors.As(err, &bad):
		s.refuseInput(w, isJSON, bad)
	case errors.As(err, &planned):
		s.refuseFinished(w, planned.Run, planned.FinishedAt)
	case errors.As(err, &finished):
		s.refuseFinished(w, finished.Run, finished.FinishedAt)
	case errors.As(err, &conflict):
		// The refusal names the run, what differs and the first subjects
		// that do: the submitter's own data, never a credential.
		writeProblem(w, http.StatusConflict, "conflict", "Conflicting run",
			strings.TrimPrefix(conflict.Error(), "bulk: ")+". Submit it under another name.")
	default:
		s.internalError(w, r, err)
	}
}

// refuseFinished refuses a finished run's name.
func (s *Server) refuseFinished(w http.ResponseWriter, run string, at time.Time) {
	writeProblem(w, http.StatusConflict, "run-finished", "Run finished",
		fmt.Sprintf("Run %q finished at %s; nothing was sent. Its outcomes are at /api/v1/runs/%s/outcomes; to call the providers again, submit without a name or with a new one.",
			run, at.UTC().Format(time.RFC3339), url.PathEscape(run)))
}

// runFields are the run's own fields as prepareRun names them in a
// problem: a problem of one of them refuses the run, any other its
// subjects.
var runFields = []string{"action", "name", "reason"}

// refuseInput answers prepareRun's problems, each named where the
// request has it: a JSON body's field by pointer, a CSV submission's by
// ?param, a CSV file's cell by line and column.
func (s *Server) refuseInput(w http.ResponseWriter, isJSON bool, bad *inputError) {
	ofRun := false
	errs := make([]fieldProblem, len(bad.Problems))
	for i, p := range bad.Problems {
		ofRun = ofRun || slices.Contains(runFields, p.Pointer)
		switch {
		case strings.HasPrefix(p.Pointer, "/") || p.Pointer == "":
		case isJSON:
			p.Pointer = "/" + p.Pointer
		case slices.Contains(runFields, p.Pointer):
			p.Pointer = "?" + p.Pointer
		default:
			// The CSV file as a whole: the body.
			p.Pointer = ""
		}
		errs[i] = p
	}
	detail := "Nothing was submitted."
	if bad.Count > len(bad.Problems) {
		detail = fmt.Sprintf("%d problems, the first %d listed; nothing was submitted.", bad.Count, len(bad.Problems))
	}
	if ofRun {
		writeProblem(w, http.StatusUnprocessableEntity, "invalid-run", "Invalid run", detail, errs...)
		return
	}
	writeProblem(w, http.StatusUnprocessableEntity, "invalid-subjects", "Invalid subjects", detail, errs...)
}
