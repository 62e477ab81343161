package fleet_test

import (
	"context"
	"maps"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/fleet"
)

// Every provider's fake, started by the fleet, takes the client its Values
// build, and restricts what its Seed created.
func TestEveryFakeServesItsClient(t *testing.T) {
	t.Parallel()
	for _, f := range fleet.StartFakes() {
		t.Run(f.Provider.Name, func(t *testing.T) {
			t.Parallel()
			t.Cleanup(f.Close)
			c, err := f.Client(restrict.WithRetry(restrict.RetryPolicy{MaxAttempts: 1}))
			require.NoError(t, err)
			id := f.Seed(1)
			require.NoError(t, f.Provider.CheckTargetID(id))
			res, err := c.Restrict(context.Background(), restrict.Target{ID: id})
			require.NoError(t, err)
			require.Equal(t, restrict.StateRestricted, res.State)
			require.NotEqual(t, id, f.Seed(2), "each seed is a new customer")
			require.Equal(t, f.Server.BaseURL(), f.Values["BASE_URL"])
		})
	}
}

// Random credentials differ at every start, and a fake accepts only its
// own: a client of one fake is refused by another.
func TestFakesAcceptOnlyTheirCredentials(t *testing.T) {
	t.Parallel()
	for _, p := range fleet.Providers {
		t.Run(p.Name, func(t *testing.T) {
			t.Parallel()
			a, b := p.StartFake(nil), p.StartFake(nil)
			t.Cleanup(a.Close)
			t.Cleanup(b.Close)
			secretDiffers := false
			for _, v := range p.Vars {
				if v.Secret && a.Values[v.Name] != "" && a.Values[v.Name] != b.Values[v.Name] {
					secretDiffers = true
				}
			}
			require.True(t, secretDiffers, "random credentials")

			wrong := maps.Clone(b.Values)
			wrong["BASE_URL"] = a.Values["BASE_URL"]
			c, err := p.New(wrong, restrict.WithRetry(restrict.RetryPolicy{MaxAttempts: 1}))
			require.NoError(t, err)
			_, err = c.Restrict(context.Background(), restrict.Target{ID: a.Seed(1)})
			require.ErrorIs(t, err, restrict.ErrUnauthorized)
		})
	}
}

// Given credentials are the ones the fake accepts; FakeCredentials are
// complete enough to build a client, and hold a secret to look for.
func TestFakeCredentialsBuildAClient(t *testing.T) {
	t.Parallel()
	for _, p := range fleet.Providers {
		f := p.StartFake(p.FakeCredentials)
		defer f.Close()
		for k, v := range p.FakeCredentials {
			require.Equal(t, v, f.Values[k], "%s %s", p.Name, k)
		}
		_, err := f.Client()
		require.NoError(t, err, p.Name)
		secrets := 0
		for _, v := range p.Vars {
			if v.Secret && p.FakeCredentials[v.Name] != "" {
				secrets++
			}
		}
		require.NotZero(t, secrets, p.Name)
	}
}

// A fake mounted under a path of one server, as restrict fakes serves
// them, is reached with MountedValues.
func TestMountedValuesReachAMountedFake(t *testing.T) {
	t.Parallel()
	fakes := fleet.StartFakes()
	mux := http.NewServeMux()
	for _, f := range fakes {
		t.Cleanup(f.Close)
		mux.Handle("/"+f.Provider.Name+"/", http.StripPrefix("/"+f.Provider.Name, f.Server.Handler()))
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	for _, f := range fakes {
		v, err := f.MountedValues(srv.URL + "/" + f.Provider.Name)
		require.NoError(t, err)
		c, err := f.Provider.New(v, restrict.WithRetry(restrict.RetryPolicy{MaxAttempts: 1}))
		require.NoError(t, err, f.Provider.Name)
		_, err = c.Restrict(context.Background(), restrict.Target{ID: f.Seed(1)})
		require.NoError(t, err, f.Provider.Name)
	}
}
