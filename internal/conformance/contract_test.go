package conformance_test

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/cryptomus"
	"github.com/restrictkit/restrict/customerv2"
	"github.com/restrictkit/restrict/internal/fleet"
	"github.com/restrictkit/restrict/kpayment"
	"github.com/restrictkit/restrict/purse"
	"github.com/restrictkit/restrict/walletplatform"
)

// readBack is whether a provider has a call that reads a target's state.
var readBack = map[string]bool{
	cryptomus.Provider:      false,
	customerv2.Provider:     true,
	kpayment.Provider:       false,
	purse.Provider:          true,
	walletplatform.Provider: true,
}

// TestSuiteCoversTheFleet holds the suite to every provider internal/fleet
// knows: a provider added to the fleet's table without its part here fails.
func TestSuiteCoversTheFleet(t *testing.T) {
	t.Parallel()
	var names []string
	for _, s := range subjects {
		names = append(names, s.name)
	}
	require.Equal(t, fleet.Names(), names)
	require.Len(t, suite, len(fleet.Providers), "the suite knows a provider the fleet does not")
}

// Status reads back what Restrict and Lift did, from the provider's state;
// where the provider has no read, it fails with ErrUnsupported and sends
// nothing.
func TestStatusReadsBackTheProvidersState(t *testing.T) {
	t.Parallel()
	for _, s := range subjects {
		s := s
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			e := s.start(t)
			h := newHarness(t, fastRetry, 0)
			c, err := e.newClient(h.opts...)
			require.NoError(t, err)
			checker, ok := c.(restrict.Checker)
			require.True(t, ok, "every client is a restrict.Checker")
			ctx := context.Background()
			if !readBack[s.name] {
				res, err := checker.Status(ctx, e.target)
				require.Nil(t, res)
				require.ErrorIs(t, err, restrict.ErrUnsupported)
				require.Zero(t, e.fake.Requests(), "nothing sent")
				return
			}
			status := func(want restrict.State) {
				t.Helper()
				res, err := checker.Status(ctx, e.target)
				require.NoError(t, err)
				require.Equal(t, want, res.State)
				require.Equal(t, e.target.ID, res.TargetID)
				require.Equal(t, s.name, res.Provider)
				require.Equal(t, 200, res.StatusCode)
			}
			status(restrict.StateActive)
			_, err = c.Restrict(ctx, e.target)
			require.NoError(t, err)
			status(restrict.StateRestricted)
			if s.lift {
				_, err = c.Lift(ctx, e.target)
				require.NoError(t, err)
				status(restrict.StateActive)
			}
			h.requireNoSecret(t, e, nil)
		})
	}
}

// Restrict and Lift are idempotent at the contract: doing either twice
// succeeds both times, with the state wanted.
func TestRestrictAndLiftAreIdempotent(t *testing.T) {
	t.Parallel()
	for _, s := range subjects {
		s := s
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			e := s.start(t)
			c, err := e.newClient(restrict.WithRetry(fastRetry))
			require.NoError(t, err)
			ctx := context.Background()
			for i := 0; i < 2; i++ {
				res, err := c.Restrict(ctx, e.target)
				require.NoError(t, err, "restrict #%d", i+1)
				require.Equal(t, restrict.StateRestricted, res.State, "restrict #%d", i+1)
			}
			if !s.lift {
				return
			}
			for i := 0; i < 2; i++ {
				res, err := c.Lift(ctx, e.target)
				require.NoError(t, err, "lift #%d", i+1)
				require.Equal(t, restrict.StateActive, res.State, "lift #%d", i+1)
			}
		})
	}
}

// Each provider exports the ID rule its Restrict, Lift and Status apply,
// so a consumer (restricttest.Fake, the bulk CLI) can check IDs before
// anything is sent.
func TestCheckTargetIDIsTheRuleRestrictApplies(t *testing.T) {
	t.Parallel()
	for _, s := range subjects {
		s := s
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			e := s.start(t)
			p, _ := fleet.Lookup(s.name)
			check := p.CheckTargetID
			require.NotNil(t, check)
			require.NoError(t, check(e.target.ID))
			c, err := e.newClient(restrict.WithRetry(fastRetry))
			require.NoError(t, err)
			for _, bad := range []string{"", "   ", "x\ny", strings.Repeat("9", 300), "../admin"} {
				err := check(bad)
				require.ErrorIs(t, err, restrict.ErrInvalidRequest, "%q", bad)
				require.Contains(t, fieldOf(t, err), "ID", "%q", bad)
				_, rerr := c.Restrict(context.Background(), restrict.Target{ID: bad})
				require.ErrorIs(t, rerr, restrict.ErrInvalidRequest, "Restrict refuses what CheckTargetID refuses: %q", bad)
			}
			require.Zero(t, e.fake.Requests())
		})
	}
}

// The five provider packages are cut from one template: the same files in
// the same roles, so that listing two folders differs only in the files of
// their resources (and a webhook file where the provider has webhooks).
func TestProviderPackagesShareOneTemplate(t *testing.T) {
	t.Parallel()
	resources := map[string][]string{
		cryptomus.Provider:      {"wallet", "webhook"},
		customerv2.Provider:     {"customer"},
		kpayment.Provider:       {"customer"},
		purse.Provider:          {"customer", "purse", "transaction", "webhook"},
		walletplatform.Provider: {"account"},
	}
	var shapes [][]string
	for _, s := range subjects {
		entries, err := os.ReadDir(filepath.Join("..", "..", s.name))
		require.NoError(t, err)
		skip := map[string]bool{}
		for _, r := range resources[s.name] {
			skip[r+".go"], skip[r+"_test.go"] = true, true
		}
		var files []string
		for _, e := range entries {
			switch {
			case e.IsDir():
				require.Equal(t, s.name+"test", e.Name(), "the only folder is the fake")
				fake, err := os.ReadDir(filepath.Join("..", "..", s.name, e.Name()))
				require.NoError(t, err)
				var names []string
				for _, f := range fake {
					names = append(names, f.Name())
				}
				require.ElementsMatch(t, []string{"server.go", "server_test.go", "example_test.go"}, names, s.name+"test")
			case !skip[e.Name()]:
				files = append(files, e.Name())
			}
		}
		sort.Strings(files)
		shapes = append(shapes, files)
	}
	for i := 1; i < len(shapes); i++ {
		require.Equal(t, shapes[0], shapes[i], "%s and %s differ outside their resources", subjects[0].name, subjects[i].name)
	}
	require.Equal(t, []string{"client.go", "client_test.go", "doc.go", "errors.go", "errors_test.go", "example_test.go", "fuzz_test.go",
		"helpers_test.go", "integration_test.go", "restrictor.go", "restrictor_test.go", "sign.go", "sign_test.go"}, shapes[0])
}
