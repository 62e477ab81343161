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
