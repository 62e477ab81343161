package fleet_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/cryptomus"
	"github.com/restrictkit/restrict/internal/fleet"
	"github.com/restrictkit/restrict/purse"
)

// A fake funds-received webhook verifies with the provider's SDK and the
// key it was signed with, and reads as money received by its target.
func TestFakeWebhooksVerify(t *testing.T) {
	t.Parallel()
	const wallet, customer = "0f3f4a1e-0c3b-4b0e-9d35-5a4d5c7e9a10", "6c1d5f0e-3a2b-4c4d-8e9f-0a1b2c3d4e5f"
	env := map[string]string{"RESTRICT_CRYPTOMUS_PAYMENT_KEY": "k-cryptomus", "RESTRICT_PURSE_WEBHOOK_KEY": "k-purse"}
	hooks := fleet.Webhooks(func(k string) string { return env[k] })
	require.Len(t, hooks, 2)

	for _, c := range []struct {
		route, target string
		want          fleet.WebhookEvent
	}{
		{"cryptomus", wallet, fleet.WebhookEvent{Provider: "cryptomus", Type: "wallet", Targets: []string{wallet}, Amount: "25", Currency: "USDT", Status: "paid", Funds: true}},
		{"cryptomus", "order_7", fleet.WebhookEvent{Provider: "cryptomus", Type: "wallet", Amount: "25", Currency: "USDT", Status: "paid", Funds: true}},
		{"calypso", customer, fleet.WebhookEvent{Provider: "purse", Type: string(purse.WebhookFundsReceived), Targets: []string{customer}, Amount: "25", Currency: "USDT", Status: "SUCCESS", Funds: true}},
	} {
		wr, ok := fleet.LookupWebhook(c.route)
		require.True(t, ok)
		key := restrict.Secret(env[fleet.Prefix(wr.Provider)+wr.KeyVar])
		body, header, err := wr.Fake(key, c.target, "25", "USDT")
		require.NoError(t, err)
		ev, err := hooks[c.route](body, header)
		require.NoError(t, err, "%s", body)
		require.True(t, strings.HasPrefix(ev.ID, c.want.Provider+":"), ev.ID)
		if c.target == "order_7" {
			require.Len(t, ev.Targets, 2, "the wallet's UUID and its order ID")
			require.Equal(t, "order_7", ev.Targets[1])
			c.want.Targets = ev.Targets
		}
		c.want.ID = ev.ID
		require.Equal(t, c.want, ev)
		again, err := hooks[c.route](body, header)
		require.NoError(t, err)
		require.Equal(t, ev.ID, again.ID, "the same body is the same event")
		other, otherHeader, err := wr.Fake(key, c.target, "25", "USDT")
		require.NoError(t, err)
		ev2, err := hooks[c.route](other, otherHeader)
		require.NoError(t, err)
		require.NotEqual(t, ev.ID, ev2.ID, "another event")

		// Tampered, or signed with another key: refused.
		tampered := []byte(strings.Replace(string(body), `"25"`, `"26"`, 1))
		if c.route == "calypso" {
			tampered = []byte(strings.Replace(string(body), `:25`, `:26`, 1))
		}
		require.NotEqual(t, body, tampered)
		_, err = hooks[c.route](tampered, header)
		require.ErrorIs(t, err, restrict.ErrUnauthorized)
		wrongBody, wrongHeader, err := wr.Fake("another-key", c.target, "25", "USDT")
		require.NoError(t, err)
		_, err = hooks[c.route](wrongBody, wrongHeader)
		require.ErrorIs(t, err, restrict.ErrUnauthorized)
	}

	// The SDKs read the fakes as documented.
	wr, _ := fleet.LookupWebhook("purse")
	body, header, err := wr.Fake("k-purse", customer, "25.5", "USDT")
	require.NoError(t, err)
	w, err := purse.VerifyWebhook("k-purse", body, header.Get("Sign"))
	require.NoError(t, err)
	require.Equal(t, customer, w.Data.CustomerID)
	require.Equal(t, "25.5", w.Data.Amount.String())
	wr, _ = fleet.LookupWebhook("cryptomus")
	body, _, err = wr.Fake("k-cryptomus", wallet, "1", "BTC")
	require.NoError(t, err)
	cw, err := cryptomus.VerifyWebhook("k-cryptomus", body)
	require.NoError(t, err)
	require.Equal(t, cryptomus.WebhookWallet, cw.Type)

	_, _, err = wr.Fake("k", "not an id!", "1", "BTC")
	require.Error(t, err)
	require.Empty(t, fleet.Webhooks(func(string) string { return "" }), "no key, no webhook")
}
