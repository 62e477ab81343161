package fleet_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestProgramsLinkNoTestFramework checks that the operator's binary and the
// quickstart, which reach the fakes through the fleet, build neither
// testify nor httpmock: those are for tests, and restricttest/restrictmock
// is where the testify mock lives.
func TestProgramsLinkNoTestFramework(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	mod := "github.com/restrictkit/restrict"
	deps := func(pkg string) []string {
		out, err := exec.Command("go", "list", "-deps", pkg).CombinedOutput()
		require.NoError(t, err, "%s", out)
		return strings.Split(strings.TrimSpace(string(out)), "\n")
	}
	banned := []string{"github.com/stretchr/testify", "github.com/stretchr/objx", "github.com/jarcoal/httpmock"}
	for _, pkg := range []string{mod + "/cmd/restrict", mod + "/examples/quickstart", mod + "/internal/fleet", mod + "/restricttest"} {
		list := deps(pkg)
		require.Contains(t, list, mod, "go list -deps %s lists the root package", pkg)
		for _, line := range list {
			for _, b := range banned {
				require.False(t, strings.HasPrefix(line, b), "%s depends on %s", pkg, line)
			}
		}
	}
	// The check can see testify: the mock's package depends on it.
	require.Contains(t, deps(mod+"/restricttest/restrictmock"), "github.com/stretchr/testify/mock")
}

// TestSDKLinksOnlyTheOpenTelemetryAPI checks that a program importing the
// root, a provider package or restricttest links the OpenTelemetry API and
// never its SDK nor an exporter: which ones a program runs is its choice,
// made by installing a provider.
func TestSDKLinksOnlyTheOpenTelemetryAPI(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	mod := "github.com/restrictkit/restrict"
	banned := []string{"go.opentelemetry.io/otel/sdk", "go.opentelemetry.io/otel/exporters", "go.opentelemetry.io/contrib", "github.com/prometheus/"}
	for _, pkg := range []string{mod, mod + "/customerv2", mod + "/cryptomus", mod + "/walletplatform", mod + "/purse", mod + "/kpayment", mod + "/restricttest"} {
		out, err := exec.Command("go", "list", "-deps", pkg).CombinedOutput()
		require.NoError(t, err, "%s", out)
		list := strings.Split(strings.TrimSpace(string(out)), "\n")
		// The check can see otel: every one of them links its API.
		require.Contains(t, list, "go.opentelemetry.io/otel/trace", "go list -deps %s", pkg)
		for _, line := range list {
			for _, b := range banned {
				require.False(t, strings.HasPrefix(line, b), "%s depends on %s", pkg, line)
			}
		}
	}
}
