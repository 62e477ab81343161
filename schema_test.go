package restrict_test

import (
	"context"
	"encoding/json"
	"os/exec"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/testkit"
	"github.com/restrictkit/restrict/restricttest"
)

// reports builds real reports of every kind of outcome the fan-out writes:
// each operation, a success, an API failure with fields and a retry wait,
// an unsupported lift and status, a nil restrictor, a panic, a caller's
// own error, a deadline and a cancellation, and a result with no state.
func reports(t *testing.T) []*restrict.Report {
	t.Helper()
	ctx := context.Background()
	purse := &restricttest.Fake{Provider: "purse"}
	crypto := &restricttest.Fake{Provider: "cryptomus", NoLift: true, NoStatus: true}
	purse.FailWith("missing", &restrict.APIError{Provider: "purse", Operation: "BlockCustomer", StatusCode: 400,
		Code: "004", Message: "Customer not found", Attempts: 1, RequestID: "req-1", Class: restrict.ErrNotFound,
		Fields: map[string][]string{"customerId": {"unknown"}}})
	purse.FailWith("busy", &restrict.APIError{Provider: "purse", Operation: "BlockCustomer", StatusCode: 429,
		Message: "Too many requests", RetryAfter: 1500 * time.Millisecond, Attempts: 3, Class: restrict.ErrRateLimited})
	boom := stub{restrict: func(context.Context, restrict.Target) (*restrict.Result, error) { panic("provider bug") }}
	bindings := []restrict.Binding{
		{Name: "purse", Restrictor: purse, Target: restrict.Target{ID: "c1", Reason: "court order"}},
		{Name: "purse-missing", Restrictor: purse, Target: restrict.Target{ID: "missing"}},
		{Name: "purse-busy", Restrictor: purse, Target: restrict.Target{ID: "busy"}},
		{Name: "cryptomus", Restrictor: crypto, Target: restrict.Target{ID: "w1"}},
		{Name: "plain", Restrictor: ok("plain", 0), Target: restrict.Target{ID: "p1"}},
		{Name: "nil"},
		{Name: "stateless", Restrictor: &pointerRestrictor{name: "own"}, Target: restrict.Target{ID: "s1"}},
	}
	out := []*restrict.Report{
		restrict.RestrictAll(ctx, bindings...),
		restrict.LiftAll(ctx, bindings...),
		restrict.StatusAll(ctx, bindings...),
		restrict.RestrictAll(ctx, restrict.Binding{Name: "bad", Restrictor: boom, Target: restrict.Target{ID: "b1"}}),
	}
	short, cancel := context.WithTimeout(ctx, time.Millisecond)
	defer cancel()
	out = append(out, restrict.RestrictAll(short, restrict.Binding{Name: "slow", Restrictor: ok("slow", 10*time.Second)}))
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	out = append(out, restrict.RestrictAll(cancelled, restrict.Binding{Name: "gone", Restrictor: ok("gone", 10*time.Second)}))
	return out
}

func TestReportJSONMatchesTheAuditSchema(t *testing.T) {
	t.Parallel()
	reportSchema, outcomeSchema, anyRecord := testkit.AuditSchema(t, "docs/audit-record.schema.json", "report"), testkit.AuditSchema(t, "docs/audit-record.schema.json", "outcome"), testkit.AuditSchema(t, "docs/audit-record.schema.json", "")
	classes := map[string]bool{}
	for _, report := range reports(t) {
		b, err := json.Marshal(report)
		require.NoError(t, err)
		require.NoError(t, reportSchema.Validate(testkit.JSONInstance(t, b)), "%s", b)
		require.NoError(t, anyRecord.Validate(testkit.JSONInstance(t, b)), "%s", b)
		for _, o := range report.Outcomes {
			b, err := json.Marshal(o)
			require.NoError(t, err)
			require.NoError(t, outcomeSchema.Validate(testkit.JSONInstance(t, b)), "%s", b)
			require.NoError(t, anyRecord.Validate(testkit.JSONInstance(t, b)), "%s", b)
			var rec struct {
				Error *struct{ Class string } `json:"error"`
			}
			require.NoError(t, json.Unmarshal(b, &rec))
			if rec.Error != nil {
				classes[rec.Error.Class] = true
			}
		}
	}
	// The reports cover the classes the fan-out writes, so that a class
	// missing from the schema fails here.
	for _, c := range []string{"not_found", "rate_limited", "unsupported", "invalid_request", "timeout", "canceled", ""} {
		require.True(t, classes[c], "no outcome of class %q", c)
	}
}

// The schema is strict enough to catch a record that drifted: a key
// missing or added, or the provider's verb where the operation belongs.
func TestTheAuditSchemaRefusesADriftedOutcome(t *testing.T) {
	t.Parallel()
	sch := testkit.AuditSchema(t, "docs/audit-record.schema.json", "outcome")
	report := restrict.RestrictAll(context.Background(),
		restrict.Binding{Name: "purse", Restrictor: &restricttest.Fake{Provider: "purse"}, Target: restrict.Target{ID: "c1"}})
	b, err := json.Marshal(report.Outcomes[0])
	require.NoError(t, err)
	require.NoError(t, sch.Validate(testkit.JSONInstance(t, b)))
	for name, drift := range map[string]func(map[string]any){
		"error missing":         func(m map[string]any) { delete(m, "error") },
		"http_attempts added":   func(m map[string]any) { m["http_attempts"] = 1 },
		"provider verb as op":   func(m map[string]any) { m["action"] = "block" },
		"attempts not a number": func(m map[string]any) { m["attempts"] = "1" },
	} {
		var m map[string]any
		require.NoError(t, json.Unmarshal(b, &m))
		drift(m)
		drifted, err := json.Marshal(m)
		require.NoError(t, err)
		require.Error(t, sch.Validate(testkit.JSONInstance(t, drifted)), name)
	}
}

// The validator is a test dependency only: no consumer of the module's
// packages builds it.
func TestTheSchemaValidatorReachesNoConsumer(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	const validator = "github.com/santhosh-tekuri/jsonschema"
	for _, pkg := range []string{".", "./bulk", "./cmd/restrict"} {
		out, err := exec.Command("go", "list", "-deps", pkg).CombinedOutput()
		require.NoError(t, err, "%s", out)
		require.NotContains(t, string(out), validator, "go list -deps %s", pkg)
	}
	// The check can see it: this package's tests link it.
	out, err := exec.Command("go", "list", "-deps", "-test", ".").CombinedOutput()
	require.NoError(t, err, "%s", out)
	require.Contains(t, string(out), validator)
}
