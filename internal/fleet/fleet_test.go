package fleet_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/fleet"
	"github.com/restrictkit/restrict/purse"
	"github.com/restrictkit/restrict/purse/pursetest"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestProvidersAreTheFiveInOrder(t *testing.T) {
	t.Parallel()
	names := fleet.Names()
	require.Equal(t, []string{"cryptomus", "customerv2", "kpayment", "purse", "walletplatform"}, names)
	require.True(t, sort.StringsAreSorted(names))
	for _, n := range names {
		p, ok := fleet.Lookup(n)
		require.True(t, ok)
		require.Equal(t, n, p.Name)
		require.NotNil(t, p.CheckTargetID)
		require.NotEmpty(t, p.IDs)
	}
	_, ok := fleet.Lookup("stripe")
	require.False(t, ok)
}

// Missing variables are named, all at once, and nothing is built.
func TestMissingVariablesAreNamed(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		vars map[string]string
		want []string
	}{
		"cryptomus":      {map[string]string{"RESTRICT_CRYPTOMUS_BASE_URL": "https://x.example"}, []string{"RESTRICT_CRYPTOMUS_MERCHANT_ID", "RESTRICT_CRYPTOMUS_PAYMENT_KEY"}},
		"customerv2":     {map[string]string{"RESTRICT_CUSTOMERV2_BASE_URL": "https://x.example", "RESTRICT_CUSTOMERV2_EMAIL": "a@b.c"}, []string{"RESTRICT_CUSTOMERV2_MERCHANT_ID", "RESTRICT_CUSTOMERV2_PASSWORD", "RESTRICT_CUSTOMERV2_API_KEY"}},
		"kpayment":       {map[string]string{"RESTRICT_KPAYMENT_USERNAME": "u"}, []string{"RESTRICT_KPAYMENT_PASSWORD", "RESTRICT_KPAYMENT_TOKEN"}},
		"purse":          {map[string]string{"RESTRICT_PURSE_KEY": "k"}, []string{"RESTRICT_PURSE_ACCOUNT", "RESTRICT_PURSE_SECRET"}},
		"walletplatform": {map[string]string{"RESTRICT_WALLETPLATFORM_API_KEY": "k"}, []string{"RESTRICT_WALLETPLATFORM_BASE_URL"}},
	}
	for name, tc := range cases {
		p, _ := fleet.Lookup(name)
		v, set := p.Read(env(tc.vars))
		require.True(t, set, name)
		_, err := p.New(v)
		require.Error(t, err, name)
		for _, w := range tc.want {
			require.Contains(t, err.Error(), w, name)
		}
	}
}

// A credential that cannot be one is the provider's own refusal, naming
// the field and never its value.
func TestProviderRefusalsNameTheField(t *testing.T) {
	t.Parallel()
	p, _ := fleet.Lookup("purse")
	v, _ := p.Read(env(map[string]string{"RESTRICT_PURSE_ACCOUNT": "0x1", "RESTRICT_PURSE_KEY": "key-with\x01control", "RESTRICT_PURSE_SECRET": "s3cret-value"}))
	_, err := p.New(v)
	require.ErrorIs(t, err, restrict.ErrInvalidRequest)
	require.Contains(t, err.Error(), "Key")
	require.NotContains(t, err.Error(), "s3cret-value")
}

// What the variables configure is the provider's real client: against its
// fake, it restricts and reads back.
func TestClientFromVariablesWorks(t *testing.T) {
	t.Parallel()
	creds := purse.Credentials{Account: "0x00000000000000000000000000000000000000aa", Key: "fleet-key", Secret: "fleet-secret"}
	srv := pursetest.NewServer(creds)
	defer srv.Close()
	cust := srv.AddCustomer(purse.Customer{Email: "x@example.com"})
	p, _ := fleet.Lookup("purse")
	v, set := p.Read(env(map[string]string{
		"RESTRICT_PURSE_ACCOUNT":  creds.Account,
		"RESTRICT_PURSE_KEY":      string(creds.Key),
		"RESTRICT_PURSE_SECRET":   string(creds.Secret),
		"RESTRICT_PURSE_BASE_URL": srv.BaseURL(),
	}))
	require.True(t, set)
	c, err := p.New(v)
	require.NoError(t, err)
	ctx := context.Background()
	_, err = c.Restrict(ctx, restrict.Target{ID: cust.ID})
	require.NoError(t, err)
	res, err := c.Status(ctx, restrict.Target{ID: cust.ID})
	require.NoError(t, err)
	require.Equal(t, restrict.StateRestricted, res.State)
	require.NotContains(t, fmt.Sprint(c), "fleet-secret")
}

func TestSecretVariablesAreMarked(t *testing.T) {
	t.Parallel()
	for _, p := range fleet.Providers {
		for _, v := range p.Vars {
			secretWord := strings.Contains(v.Name, "KEY") || strings.Contains(v.Name, "SECRET") || strings.Contains(v.Name, "PASSWORD") ||
				strings.Contains(v.Name, "TOKEN") || v.Name == "PASS_ID"
			require.Equal(t, secretWord, v.Secret, "%s %s", p.Name, v.Name)
		}
	}
}
