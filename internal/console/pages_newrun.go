package console

import (
	"errors"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/restrictkit/restrict/bulk"
	"github.com/restrictkit/restrict/internal/subjects"
)

// newRunForm is the new-run form's values, shown again with the answer.
type newRunForm struct {
	Text, Action, Reason, Name string
}

// planRow is one provider of a plan and its jobs.
type planRow struct {
	Provider string
	Jobs     int
}

// newRunData is what templates/newrun.html shows: the form, and after a
// check either its problems or its plan.
type newRunData struct {
	Form      newRunForm
	Actions   []option
	Providers []string
	// Problems are the file's problems, each "line:col: message"; More
	// counts those past the list.
	Problems []string
	More     int
	// Refusal is why the run cannot be submitted as asked.
	Refusal string
	Plan    *subjects.Plan
	Jobs    []planRow
	// Warnings are what the command warns of: IDs under two subjects,
	// subjects without an ID.
	Warnings []string
	// Draft is the checked run's ID, for the confirmation.
	Draft string
}

// newRunDraft is what a check keeps for the confirmation.
type newRunDraft struct {
	prepared *preparedRun
}

var runActions = []string{"restrict", "lift", "status"}

// newRunPage shows the new-run form.
func (s *Server) newRunPage(w http.ResponseWriter, r *http.Request, p *principal) {
	s.renderNewRun(w, r, p, http.StatusOK, newRunData{})
}

func (s *Server) renderNewRun(w http.ResponseWriter, r *http.Request, p *principal, status int, d newRunData) {
	d.Actions = options(runActions, d.Form.Action)[1:]
	if d.Form.Action == "" {
		d.Actions = append([]option{{Value: "", Label: "choose…", Selected: true}}, d.Actions...)
	}
	d.Providers = s.cfg.Providers
	s.render(w, r, p, status, "newrun.html", "New run", d)
}

// newRunCheck checks a subjects file (uploaded or pasted) with the
// command's checks and shows its plan, or every problem of it.
func (s *Server) newRunCheck(w http.ResponseWriter, r *http.Request, p *principal) {
	in, form, problem := readNewRun(r)
	d := newRunData{Form: form}
	if problem != "" {
		d.Refusal = problem
		s.renderNewRun(w, r, p, http.StatusUnprocessableEntity, d)
		return
	}
	pr, err := s.prepareRun(r.Context(), in)
	var refused *inputError
	var finished *subjects.FinishedError
	switch {
	case errors.As(err, &refused):
		for _, pb := range refused.Problems {
			d.Problems = append(d.Problems, problemText(pb))
		}
		d.More = max(refused.Count-len(refused.Problems), 0)
		s.renderNewRun(w, r, p, http.StatusUnprocessableEntity, d)
		return
	case errors.As(err, &finished):
		d.Refusal = finished.Error()
		s.renderNewRun(w, r, p, http.StatusConflict, d)
		return
	case err != nil:
		s.log.Error("checking a new run", "error", err)
		s.errorPage(w, r, p, http.StatusInternalServerError, "The run could not be checked; try again.")
		return
	}
	d.Plan = pr.Plan
	d.Warnings = pr.File.Warnings()
	for _, prov := range slices.Sorted(maps.Keys(pr.Plan.Jobs)) {
		d.Jobs = append(d.Jobs, planRow{Provider: prov, Jobs: pr.Plan.Jobs[prov]})
	}
	d.Draft = s.pages.drafts.put(draftOwner(p), s.now(), len(in.CSV), &newRunDraft{prepared: pr})
	s.renderNewRun(w, r, p, http.StatusOK, d)
}

// newRunConfirm submits the draft a check kept, exactly as checked, and
// sends the browser to the run.
func (s *Server) newRunConfirm(w http.ResponseWriter, r *http.Request, p *principal) {
	d, ok := s.pages.drafts.take(draftOwner(p), r.PostFormValue("draft"), s.now())
	if !ok {
		s.renderNewRun(w, r, p, http.StatusConflict, newRunData{
			Refusal: "This check has expired or was confirmed already: check the file again.",
		})
		return
	}
	run, err := s.submitRun(r.Context(), p, d.prepared)
	var conflict *bulk.ConflictError
	switch {
	case errors.As(err, &conflict), errors.Is(err, bulk.ErrRunFinished):
		s.renderNewRun(w, r, p, http.StatusConflict, newRunData{Refusal: err.Error()})
		return
	case err != nil:
		s.log.Error("submitting a run", "error", err)
		s.errorPage(w, r, p, http.StatusInternalServerError, "The run could not be submitted; the runs page shows whether any of it was.")
		return
	}
	http.Redirect(w, r, runURL(run.Name), http.StatusSeeOther)
}

// readNewRun reads the form: the subjects from the file when one is
// uploaded, else from the text; problem is what makes it unusable.
func readNewRun(r *http.Request) (in runInput, form newRunForm, problem string) {
	// All in memory, as the wrapper reads a session's form: a subjects
	// file is customer data, kept off the disk; the body is bounded by
	// maxUpload already.
	if err := r.ParseMultipartForm(maxUpload); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return in, form, "The form could not be read: the upload may be too large."
	}
	form = newRunForm{
		Text:   r.PostFormValue("subjects_text"),
		Action: r.PostFormValue("action"),
		Reason: r.PostFormValue("reason"),
		Name:   strings.TrimSpace(r.PostFormValue("name")),
	}
	in = runInput{Name: form.Name, Action: form.Action, Reason: form.Reason}
	file, header, err := r.FormFile("subjects_file")
	switch {
	case err == nil:
		defer file.Close()
		b, err := io.ReadAll(file)
		if err != nil {
			return in, form, "subjects_file: the upload could not be read."
		}
		in.CSV, in.FileName = b, header.Filename
	case !errors.Is(err, http.ErrMissingFile) && !errors.Is(err, http.ErrNotMultipart):
		return in, form, "subjects_file: the upload could not be read."
	}
	if len(in.CSV) == 0 {
		in.CSV, in.FileName = []byte(form.Text), "pasted subjects"
	} else if strings.TrimSpace(form.Text) != "" {
		return in, form, "subjects_file, subjects_text: give a file or paste the subjects, not both."
	}
	if len(strings.TrimSpace(string(in.CSV))) == 0 {
		return in, form, "subjects_file, subjects_text: upload a subjects CSV or paste one."
	}
	return in, form, ""
}

// problemText is a problem as the page lists it: "line:col: message"
// in a file, else the form field or JSON pointer it concerns.
func problemText(pb fieldProblem) string {
	switch {
	case pb.Line > 0:
		return strconv.Itoa(pb.Line) + ":" + strconv.Itoa(pb.Column) + ": " + pb.Message
	case pb.Pointer != "":
		return pb.Pointer + ": " + pb.Message
	}
	return pb.Message
}
