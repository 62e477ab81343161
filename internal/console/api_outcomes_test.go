package console

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/restrictkit/restrict/bulk"
	"github.com/restrictkit/restrict/internal/testkit"
	"github.com/stretchr/testify/require"
)

// outcomePage is an answer of GET /api/v1/runs/{name}/outcomes.
type outcomePage struct {
	Outcomes []bulk.Outcome
	Next     *string
}

func (f *apiFixture) outcomes(t *testing.T, query string) outcomePage {
	t.Helper()
	status, body := f.get(t, "/api/v1/runs/{name}/outcomes", "/api/v1/runs/r1/outcomes"+query)
	require.Equal(t, http.StatusOK, status, "%s", body)
	var p outcomePage
	require.NoError(t, json.Unmarshal(body, &p))
	return p
}

func keys(outcomes []bulk.Outcome) []string {
	var out []string
	for _, o := range outcomes {
		out = append(out, o.Subject+"@"+o.Provider)
	}
	return out
}

func TestAPIOutcomesPagesByKeyset(t *testing.T) {
	t.Parallel()
	f := newAPIFixture(t)
	all := f.outcomes(t, "")
	require.Nil(t, all.Next)
	require.Equal(t, []string{"s1@cryptomus", "s1@purse", "s2@purse", "s3@cryptomus"}, keys(all.Outcomes))

	var paged []bulk.Outcome
	query := "?limit=3"
	for range 3 {
		p := f.outcomes(t, query)
		paged = append(paged, p.Outcomes...)
		if p.Next == nil {
			break
		}
		query = "?limit=3&after=" + url.QueryEscape(*p.Next)
	}
	require.Equal(t, all.Outcomes, paged)

	row := testkit.AuditSchema(t, "../../docs/audit-record.schema.json", "journal_row")
	_, body := f.get(t, "/api/v1/runs/{name}/outcomes", "/api/v1/runs/r1/outcomes")
	var raw struct{ Outcomes []json.RawMessage }
	require.NoError(t, json.Unmarshal(body, &raw))
	require.Len(t, raw.Outcomes, 4)
	for _, b := range raw.Outcomes {
		require.NoError(t, row.Validate(testkit.JSONInstance(t, b)), "%s", b)
	}

	exact := f.outcomes(t, "?limit=4")
	require.Nil(t, exact.Next, "a page that ends the listing has no next")
}

func TestAPIOutcomesFilters(t *testing.T) {
	t.Parallel()
	f := newAPIFixture(t)
	for query, want := range map[string][]string{
		"?result=failed":              {"s2@purse"},
		"?provider=cryptomus":         {"s1@cryptomus", "s3@cryptomus"},
		"?class=not_found":            {"s2@purse"},
		"?state=restricted&subject=s": {"s1@cryptomus", "s1@purse", "s3@cryptomus"},
		"?subject=s3":                 {"s3@cryptomus"},
		"?subject=x":                  nil,
	} {
		require.Equal(t, want, keys(f.outcomes(t, query).Outcomes), query)
	}
	failed := f.outcomes(t, "?result=failed").Outcomes[0]
	require.Equal(t, &bulk.OutcomeError{Class: "not_found", Code: "004", Message: "Customer not found"}, failed.Error)
}

func TestAPIOutcomesRefusesABadQuery(t *testing.T) {
	t.Parallel()
	f := newAPIFixture(t)
	status, body := f.get(t, "/api/v1/runs/{name}/outcomes", "/api/v1/runs/r1/outcomes?result=maybe&limit=0&after=zz&sort=key")
	require.Equal(t, http.StatusBadRequest, status)
	requireProblem(t, body, "invalid-query", "?result", "?after", "?limit", "?sort")
}
