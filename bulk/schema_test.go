package bulk_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/bulk"
	"github.com/restrictkit/restrict/internal/testkit"
	"github.com/restrictkit/restrict/restricttest"
)

// panicking restricts nothing: every call panics, as a buggy restrictor of
// a caller's own would.
type panicking struct{}

func (panicking) Restrict(context.Context, restrict.Target) (*restrict.Result, error) {
	panic("restrictor bug")
}

func (panicking) Lift(context.Context, restrict.Target) (*restrict.Result, error) {
	panic("restrictor bug")
}

// journalRows works real runs on SQLite with in-memory restrictors, one of
// each operation, and returns the JSON of every journal row they left:
// pending rows read before the engine starts, then ok, failed (a provider
// error with its code, an outage, a panic) and unsupported ones.
func journalRows(t *testing.T) [][]byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	e, err := bulk.Open(ctx, filepath.Join(t.TempDir(), "schema.db"), bulk.Config{MaxAttempts: 1, FetchPollInterval: 50 * time.Millisecond})
	require.NoError(t, err)
	t.Cleanup(func() { _ = e.Close() })

	purse := &restricttest.Fake{Provider: "purse"}
	purse.FailWith("p-missing", &restrict.APIError{Provider: "purse", Operation: "BlockCustomer", StatusCode: 400,
		Code: "004", Message: "Customer not found", Attempts: 1, RequestID: "req-4", Class: restrict.ErrNotFound})
	purse.FailWith("p-down", &restrict.APIError{Provider: "purse", Operation: "BlockCustomer", StatusCode: 503,
		Message: "Service Unavailable", Attempts: 2, Class: restrict.ErrUnavailable})
	crypto := &restricttest.Fake{Provider: "cryptomus", NoLift: true, NoStatus: true}
	// A restrictor that is not a restrict.Checker: its status is unsupported.
	plain := struct{ restrict.Restrictor }{&restricttest.Fake{Provider: "plain"}}
	for name, r := range map[string]restrict.Restrictor{"purse": purse, "cryptomus": crypto, "plain": plain, "buggy": panicking{}} {
		require.NoError(t, e.Register(name, r, bulk.Limits{}))
	}
	subjects := bulk.Subjects(
		bulk.Subject{Key: "alice", IDs: map[string]string{"purse": "p-1", "cryptomus": "w-1", "plain": "x-1", "buggy": "b-1"}},
		bulk.Subject{Key: "bob", IDs: map[string]string{"purse": "p-missing", "cryptomus": "w-2"}},
		bulk.Subject{Key: "carol", IDs: map[string]string{"purse": "p-down"}},
	)
	var rows [][]byte
	read := func(run string) {
		for o, err := range e.Outcomes(ctx, bulk.Filter{Run: run}) {
			require.NoError(t, err)
			b, err := json.Marshal(o)
			require.NoError(t, err)
			rows = append(rows, b)
		}
	}
	// The runs' operations are written as the audit record's words, which
	// bulk's run type and restrict.Op both take.
	runs := []bulk.Run{
		{Name: "schema-restrict", Op: "restrict", Reason: "schema check"},
		{Name: "schema-lift", Op: "lift"},
		{Name: "schema-status", Op: "status"},
	}
	for _, run := range runs {
		_, err := e.Submit(ctx, run, subjects)
		require.NoError(t, err)
	}
	read(runs[0].Name)
	require.NoError(t, e.Start(ctx))
	for _, run := range runs {
		_, err := e.Wait(ctx, run.Name)
		require.NoError(t, err)
		read(run.Name)
	}
	require.NoError(t, e.Stop(ctx))
	return rows
}

func TestJournalRowsMatchTheAuditSchema(t *testing.T) {
	t.Parallel()
	row, anyRecord := testkit.AuditSchema(t, filepath.Join("..", "docs", "audit-record.schema.json"), "journal_row"), testkit.AuditSchema(t, filepath.Join("..", "docs", "audit-record.schema.json"), "")
	results, classes := map[string]bool{}, map[string]bool{}
	for _, b := range journalRows(t) {
		require.NoError(t, row.Validate(testkit.JSONInstance(t, b)), "%s", b)
		require.NoError(t, anyRecord.Validate(testkit.JSONInstance(t, b)), "%s", b)
		var o bulk.Outcome
		require.NoError(t, json.Unmarshal(b, &o))
		results[string(o.Result)] = true
		if o.Error != nil {
			classes[o.Error.Class] = true
		}
	}
	// The runs cover every result and the classes only the journal
	// writes, so that one missing from the schema fails here.
	for _, r := range []string{"pending", "ok", "failed", "unsupported"} {
		require.True(t, results[r], "no row with result %q", r)
	}
	for _, c := range []string{"not_found", "unavailable", "unsupported", "panic"} {
		require.True(t, classes[c], "no row of class %q", c)
	}
}

// The schema tells a journal row from a record that drifted, such as the
// command's former report record (attempts for http_attempts, no run).
func TestTheAuditSchemaRefusesADriftedJournalRow(t *testing.T) {
	t.Parallel()
	sch := testkit.AuditSchema(t, filepath.Join("..", "docs", "audit-record.schema.json"), "journal_row")
	rows := journalRows(t)
	b := rows[len(rows)-1]
	require.NoError(t, sch.Validate(testkit.JSONInstance(t, b)))
	for name, drift := range map[string]func(map[string]any){
		"run missing":                  func(m map[string]any) { delete(m, "run") },
		"attempts for http_attempts":   func(m map[string]any) { m["attempts"] = m["http_attempts"]; delete(m, "http_attempts") },
		"provider verb as op":          func(m map[string]any) { m["action"] = "freeze" },
		"a result the journal lacks":   func(m map[string]any) { m["result"] = "skipped" },
		"failed without its error":     func(m map[string]any) { m["result"] = "failed"; delete(m, "error") },
		"a time that is not date-time": func(m map[string]any) { m["started_at"] = "yesterday" },
	} {
		var m map[string]any
		require.NoError(t, json.Unmarshal(b, &m))
		drift(m)
		drifted, err := json.Marshal(m)
		require.NoError(t, err)
		require.Error(t, sch.Validate(testkit.JSONInstance(t, drifted)), name)
	}
}
