package console

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/bulk"
)

// Page sizes of an outcome listing: the default, and the most one page
// may ask for.
const (
	defaultPage = 100
	maxPage     = 1000
)

// encodeCursor makes an outcome's key the opaque "after" of the next page.
func encodeCursor(k bulk.OutcomeKey) string {
	b, _ := json.Marshal(k)
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor reads an "after" that encodeCursor made.
func decodeCursor(s string) (*bulk.OutcomeKey, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("not a cursor this server gave")
	}
	var k bulk.OutcomeKey
	if err := json.Unmarshal(b, &k); err != nil || k.Subject == "" || k.Provider == "" {
		return nil, fmt.Errorf("not a cursor this server gave")
	}
	return &k, nil
}

// outcomeQuery is an outcome listing's filter and page, read from a
// query string: provider, result, state, class, subject (a key's
// prefix), after and limit. Both the run page and the API read it, so
// that a filter means the same in both.
type outcomeQuery struct {
	Filter bulk.Filter
	Limit  int
}

// readOutcomeQuery reads q for run, with every problem of it named by its
// parameter.
func readOutcomeQuery(run string, q url.Values) (outcomeQuery, []fieldProblem) {
	out := outcomeQuery{Filter: bulk.Filter{Run: run}, Limit: defaultPage}
	var problems []fieldProblem
	bad := func(param, format string, args ...any) {
		problems = append(problems, fieldProblem{Pointer: "?" + param, Message: fmt.Sprintf(format, args...)})
	}
	f := &out.Filter
	f.Provider = q.Get("provider")
	switch r := bulk.OutcomeResult(q.Get("result")); r {
	case "", bulk.ResultPending, bulk.ResultOK, bulk.ResultFailed, bulk.ResultUnsupported:
		f.Result = r
	default:
		bad("result", "want pending, ok, failed or unsupported")
	}
	f.State = restrict.State(q.Get("state"))
	f.Class = q.Get("class")
	f.SubjectPrefix = q.Get("subject")
	if err := bulk.CheckKey(f.SubjectPrefix); f.SubjectPrefix != "" && err != nil {
		bad("subject", "%v", err)
	}
	if a := q.Get("after"); a != "" {
		k, err := decodeCursor(a)
		if err != nil {
			bad("after", "%v", err)
		}
		f.After = k
	}
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > maxPage {
			bad("limit", "want a whole number from 1 to %d", maxPage)
		}
		out.Limit = n
	}
	return out, problems
}
