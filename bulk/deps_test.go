package bulk_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestRootAndProvidersDoNotImportTheQueue checks that River, pgx and SQLite
// reach only those who import bulk: a consumer of the root package or of a
// provider package builds none of them.
func TestRootAndProvidersDoNotImportTheQueue(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	mod := "github.com/restrictkit/restrict"
	pkgs := []string{mod}
	for _, p := range []string{"cryptomus", "customerv2", "kpayment", "purse", "walletplatform"} {
		pkgs = append(pkgs, mod+"/"+p)
	}
	for _, pkg := range pkgs {
		out, err := exec.Command("go", "list", "-deps", pkg).CombinedOutput()
		require.NoError(t, err, "%s", out)
		deps := string(out)
		require.Contains(t, deps, mod+"\n", "go list -deps %s lists the root package", pkg)
		for _, banned := range []string{"riverqueue", "jackc/pgx", "modernc.org/sqlite", "modernc.org/libc"} {
			for _, line := range strings.Split(deps, "\n") {
				require.NotContains(t, line, banned, "%s depends on %s", pkg, line)
			}
		}
	}
	// The check can see them: bulk itself depends on all three.
	out, err := exec.Command("go", "list", "-deps", mod+"/bulk").CombinedOutput()
	require.NoError(t, err, "%s", out)
	for _, dep := range []string{"github.com/riverqueue/river\n", "github.com/jackc/pgx/v5\n", "modernc.org/sqlite\n"} {
		require.Contains(t, string(out), dep)
	}
}

// TestBulkLinksNoTelemetryExporter checks that bulk records through the
// OpenTelemetry API only: the SDK, an exporter or Prometheus's client are
// the program's choice (cmd/restrict makes it), never linked by bulk.
func TestBulkLinksNoTelemetryExporter(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-deps", "github.com/restrictkit/restrict/bulk").CombinedOutput()
	require.NoError(t, err, "%s", out)
	deps := string(out)
	// The check can see OpenTelemetry: bulk uses its API and River's middleware.
	require.Contains(t, deps, "go.opentelemetry.io/otel/metric\n")
	require.Contains(t, deps, "github.com/riverqueue/rivercontrib/otelriver\n")
	for _, line := range strings.Split(deps, "\n") {
		for _, banned := range []string{"go.opentelemetry.io/otel/sdk", "go.opentelemetry.io/otel/exporters", "github.com/prometheus/", "google.golang.org/grpc"} {
			require.NotContains(t, line, banned, "bulk depends on %s", line)
		}
	}
}
