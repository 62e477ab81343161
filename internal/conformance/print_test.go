package conformance_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/restricttest"
)

// A report over every provider, one success and one failure whose answer
// quotes the credentials, prints with fmt and slog without a pointer or
// any part of a credential.
func TestAReportPrintsNoSecretAndNoPointer(t *testing.T) {
	t.Parallel()
	var bindings []restrict.Binding
	var secrets []string
	for _, s := range subjects {
		e := s.start(t)
		h := newHarness(t, fastRetry, 0)
		c, err := e.newClient(h.opts...)
		require.NoError(t, err)
		secrets = append(secrets, e.secrets...)
		page := "<html><body>"
		for _, secret := range e.secrets {
			page += secret + " was rejected. "
		}
		e.fake.Inject(restricttest.Fault{Status: http.StatusUnauthorized, ContentType: "text/html", Body: page + "</body></html>", Times: 1})
		bindings = append(bindings,
			restrict.Binding{Name: s.name + "-refused", Restrictor: c, Target: e.target},
			restrict.Binding{Name: s.name, Restrictor: c, Target: e.target})
	}
	// Each fake refuses its first call only: one binding at a time, in order.
	var outcomes []restrict.Outcome
	for _, b := range bindings {
		outcomes = append(outcomes, restrict.RestrictAll(context.Background(), b).Outcomes...)
	}
	report := &restrict.Report{Outcomes: outcomes}
	require.Len(t, report.Failed(), len(subjects))

	var out bytes.Buffer
	fmt.Fprintf(&out, "%v\n%+v\n%s\n", report, report, report)
	for _, o := range report.Outcomes {
		fmt.Fprintf(&out, "%v\n%+v\n", o, o)
	}
	slog.New(slog.NewJSONHandler(&out, nil)).Info("done", "report", report)
	slog.New(slog.NewTextHandler(&out, nil)).Info("done", "report", report, "outcome", report.Outcomes[0])
	require.NotContains(t, out.String(), "0x")
	require.Contains(t, out.String(), "unauthorized")
	require.Contains(t, out.String(), "restricted")
	requireNoFragment(t, out.String(), secrets, "a printed report")
}
