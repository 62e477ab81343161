package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/cryptomus"
	"github.com/restrictkit/restrict/purse"
)

// webhookReceiver verifies what it is posted with the providers' SDKs,
// as restrict serve does, and keeps what verified.
type webhookReceiver struct {
	mu        sync.Mutex
	purse     []*purse.Webhook
	cryptomus []*cryptomus.Webhook
}

func (wr *webhookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	wr.mu.Lock()
	defer wr.mu.Unlock()
	switch r.URL.Path {
	case "/webhooks/calypso":
		if hook, err := purse.VerifyWebhook("purse-webhook-key", body, r.Header.Get("Sign")); err == nil {
			wr.purse = append(wr.purse, hook)
			_, _ = io.WriteString(w, `{"stored":true}`)
			return
		}
	case "/webhooks/cryptomus":
		if hook, err := cryptomus.VerifyWebhook("cryptomus-payment-key", body); err == nil {
			wr.cryptomus = append(wr.cryptomus, hook)
			_, _ = io.WriteString(w, `{"stored":true}`)
			return
		}
	}
	http.Error(w, `{"type":"urn:restrict:problem:webhook-unverified"}`, http.StatusUnauthorized)
}

func TestFakesWebhookPostsASignedEvent(t *testing.T) {
	recv := &webhookReceiver{}
	srv := httptest.NewServer(recv)
	t.Cleanup(srv.Close)
	env := map[string]string{"RESTRICT_PURSE_WEBHOOK_KEY": "purse-webhook-key", "RESTRICT_CRYPTOMUS_PAYMENT_KEY": "cryptomus-payment-key"}
	run := func(args ...string) (int, string, string) {
		t.Helper()
		var out, errb bytes.Buffer
		code := Main(context.Background(), append([]string{"fakes", "webhook", "--to", srv.URL}, args...),
			func(k string) string { return env[k] }, streams{in: strings.NewReader(""), out: &out, err: &errb})
		return code, out.String(), errb.String()
	}
	const customer, wallet = "6c1d5f0e-3a2b-4c4d-8e9f-0a1b2c3d4e5f", "0f3f4a1e-0c3b-4b0e-9d35-5a4d5c7e9a10"

	code, out, stderr := run("--provider", "purse", "--target", customer, "--amount", "12.5", "--currency", "USDC")
	require.Equal(t, exitOK, code, stderr)
	require.Equal(t, "calypso "+customer+": 200 OK {\"stored\":true}\n", out)
	code, _, stderr = run("--provider", "cryptomus", "--target", wallet)
	require.Equal(t, exitOK, code, stderr)
	code, _, stderr = run("--provider", "cryptomus", "--target", "order_7")
	require.Equal(t, exitOK, code, stderr)
	recv.mu.Lock()
	require.Len(t, recv.purse, 1)
	require.Equal(t, purse.WebhookFundsReceived, recv.purse[0].EventType)
	require.Equal(t, customer, recv.purse[0].Data.CustomerID)
	require.Equal(t, "12.5", recv.purse[0].Data.Amount.String())
	require.Equal(t, "USDC", recv.purse[0].Data.Currency)
	require.Len(t, recv.cryptomus, 2)
	require.Equal(t, cryptomus.WebhookWallet, recv.cryptomus[0].Type)
	require.Equal(t, wallet, recv.cryptomus[0].WalletAddressUUID)
	require.Equal(t, "25", recv.cryptomus[0].PaymentAmount)
	require.Equal(t, "USDT", recv.cryptomus[0].Currency)
	require.Equal(t, "paid", recv.cryptomus[0].Status)
	require.Equal(t, "order_7", recv.cryptomus[1].OrderID)
	recv.mu.Unlock()

	// Signed with a key the server does not have: refused, exit 1.
	env["RESTRICT_PURSE_WEBHOOK_KEY"] = "another-key"
	code, out, stderr = run("--provider", "calypso", "--target", customer)
	require.Equal(t, exitFailed, code)
	require.Contains(t, out, "401 Unauthorized")
	require.Contains(t, stderr, "answered 401")
	require.NotContains(t, out+stderr, "another-key")

	for _, args := range [][]string{
		{"--provider", "stripe", "--target", customer},
		{"--provider", "purse", "--target", "not-a-uuid"},
		{"--provider", "purse"},
		{"--provider", "purse", "--target", customer, "--amount", "lots"},
		{"--provider", "purse", "--target", customer, "--currency", "US$"},
		{"--provider", "purse", "--target", customer, "--to", "ftp://x"},
		{"--provider", "purse", "--target", customer, "extra"},
	} {
		code, _, stderr := run(args...)
		require.Equal(t, exitUsage, code, "%v: %s", args, stderr)
	}
	delete(env, "RESTRICT_CRYPTOMUS_PAYMENT_KEY")
	code, _, stderr = run("--provider", "cryptomus", "--target", wallet)
	require.Equal(t, exitUsage, code)
	require.Contains(t, stderr, "RESTRICT_CRYPTOMUS_PAYMENT_KEY is not set")

	// Nobody listening: exit 1.
	srv.Close()
	env["RESTRICT_CRYPTOMUS_PAYMENT_KEY"] = "cryptomus-payment-key"
	code, _, _ = run("--provider", "cryptomus", "--target", wallet)
	require.Equal(t, exitFailed, code)
}

// restrict fakes prints the keys that verify webhooks, and a webhook
// signed from its exports verifies with them.
func TestFakesPrintTheWebhookKeys(t *testing.T) {
	o := newOperator(t)
	o.fakes(1)
	key := o.env["RESTRICT_PURSE_WEBHOOK_KEY"]
	require.NotEmpty(t, key)
	require.NotEmpty(t, o.env["RESTRICT_CRYPTOMUS_PAYMENT_KEY"])
	verified := make(chan error, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		_, err := purse.VerifyWebhook(restrict.Secret(key), body, r.Header.Get("Sign"))
		verified <- err
	}))
	t.Cleanup(srv.Close)
	r := o.main("fakes", "webhook", "--to", srv.URL, "--provider", "purse", "--target", "6c1d5f0e-3a2b-4c4d-8e9f-0a1b2c3d4e5f")
	require.Equal(t, exitOK, r.code, r.stderr)
	require.NoError(t, <-verified)
	require.NotContains(t, r.stdout+r.stderr, key)
}
