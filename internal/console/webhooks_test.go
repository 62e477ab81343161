package console

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict/internal/testkit"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/bulk"
	"github.com/restrictkit/restrict/cryptomus"
	"github.com/restrictkit/restrict/cryptomus/cryptomustest"
	"github.com/restrictkit/restrict/internal/fleet"
)

const (
	testWallet      = "0f3f4a1e-0c3b-4b0e-9d35-5a4d5c7e9a10"
	testCustomer    = "6c1d5f0e-3a2b-4c4d-8e9f-0a1b2c3d4e5f"
	testCryptomusPK = "console-test-cryptomus-payment-key"
	testPurseWK     = "console-test-purse-webhook-key"
)

// webhookServer is a test server whose webhooks are the fleet's, verified
// with the keys env gives.
func webhookServer(t *testing.T, env map[string]string) (*testServer, *testkit.SyncBuffer) {
	t.Helper()
	logs := &testkit.SyncBuffer{}
	ts := newTestServer(t, func(c *Config) {
		c.Webhooks = FleetWebhooks(func(k string) string { return env[k] })
		c.Logger = slog.New(slog.NewTextHandler(logs, nil))
	})
	return ts, logs
}

func bothKeys() map[string]string {
	return map[string]string{"RESTRICT_CRYPTOMUS_PAYMENT_KEY": testCryptomusPK, "RESTRICT_PURSE_WEBHOOK_KEY": testPurseWK}
}

// post sends a webhook body with header to /webhooks/route and returns
// the status and the decoded answer.
func (ts *testServer) postWebhook(t *testing.T, route string, body []byte, header http.Header) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest("POST", ts.URL+"/webhooks/"+route, bytes.NewReader(body))
	require.NoError(t, err)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := ts.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var answer map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&answer))
	return resp.StatusCode, answer
}

// restrictSubject runs a restrict of subject at both providers to its end.
func (ts *testServer) restrictSubject(t *testing.T, run, subject string) {
	t.Helper()
	ctx := context.Background()
	_, err := ts.engine.Submit(ctx, bulk.Run{Name: run, Op: restrict.OpRestrict, SubmittedBy: "otto"},
		bulk.Subjects(bulk.Subject{Key: subject, IDs: map[string]string{"cryptomus": testWallet, "purse": testCustomer}}))
	require.NoError(t, err)
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	p, err := ts.engine.Wait(wctx, run)
	require.NoError(t, err)
	require.Equal(t, int64(2), p.All.OK)
}

func fakeWebhook(t *testing.T, route, key, target string) ([]byte, http.Header) {
	t.Helper()
	wr, ok := fleet.LookupWebhook(route)
	require.True(t, ok)
	body, header, err := wr.Fake(restrict.Secret(key), target, "25", "USDT")
	require.NoError(t, err)
	return body, header
}

// A signed event is stored once and linked to the subject whose target it
// concerns; one received after the subject was restricted is flagged.
func TestWebhookStoredOnceAndFlagged(t *testing.T) {
	ts, logs := webhookServer(t, bothKeys())
	ctx := context.Background()

	early, earlyHeader := fakeWebhook(t, "calypso", testPurseWK, testCustomer)
	status, answer := ts.postWebhook(t, "calypso", early, earlyHeader)
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, map[string]any{"stored": true}, answer)

	ts.restrictSubject(t, "sanctions", "cust-1")

	// Signed as Cryptomus signs, by its SDK's own fake.
	signer := cryptomustest.NewServer(fleetCryptomusCreds())
	t.Cleanup(signer.Close)
	wallet := signer.SignWebhookPayload([]byte(`{"type":"wallet","uuid":"a1b2c3d4-0000-4000-8000-000000000001","order_id":null,"amount":"10","payment_amount":"10","is_final":true,"status":"paid","wallet_address_uuid":"` + testWallet + `","currency":"USDT"}`))
	status, answer = ts.postWebhook(t, "cryptomus", wallet, http.Header{"Content-Type": {"application/json"}})
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, map[string]any{"stored": true}, answer)
	status, answer = ts.postWebhook(t, "cryptomus", wallet, nil)
	require.Equal(t, http.StatusOK, status, "a replay is accepted")
	require.Equal(t, map[string]any{"stored": false}, answer, "and not stored again")

	late, lateHeader := fakeWebhook(t, "calypso", testPurseWK, testCustomer)
	status, _ = ts.postWebhook(t, "calypso", late, lateHeader)
	require.Equal(t, http.StatusOK, status)

	evs, err := ts.engine.SubjectEvents(ctx, "cust-1")
	require.NoError(t, err)
	require.Len(t, evs, 3, "each event once")
	require.Equal(t, "purse", evs[0].Provider)
	require.False(t, evs[0].FundsAfterRestriction, "received before the restriction")
	require.Equal(t, "cryptomus", evs[1].Provider)
	require.Equal(t, testWallet, evs[1].Target)
	require.Equal(t, "10", evs[1].Event.Amount)
	require.True(t, evs[1].FundsAfterRestriction)
	require.Equal(t, "sanctions", evs[1].RestrictedBy)
	require.Equal(t, "purse", evs[2].Provider)
	require.Equal(t, string("CUSTOMER_PURSE_FUNDS_RECEIVED_FOR_PURSE"), evs[2].Event.Type)
	require.True(t, evs[2].FundsAfterRestriction)
	require.True(t, strings.HasPrefix(evs[2].Event.ID, "purse:"))
	runEvs, err := ts.engine.RunEvents(ctx, "sanctions")
	require.NoError(t, err)
	require.Equal(t, evs, runEvs)

	require.NotContains(t, logs.String(), testCryptomusPK)
	require.NotContains(t, logs.String(), testPurseWK)
}

// An event that does not verify is refused with 401 and not stored, and
// the log names the provider and the reason but never the signature.
func TestWebhookUnverifiedIsRefused(t *testing.T) {
	ts, logs := webhookServer(t, bothKeys())
	ctx := context.Background()
	ts.restrictSubject(t, "r", "cust-1")

	body, header := fakeWebhook(t, "calypso", "not-the-key", testCustomer)
	status, answer := ts.postWebhook(t, "calypso", body, header)
	require.Equal(t, http.StatusUnauthorized, status)
	require.Equal(t, problemBase+"webhook-unverified", answer["type"])
	sign := header.Get("Sign")

	good, goodHeader := fakeWebhook(t, "calypso", testPurseWK, testCustomer)
	status, _ = ts.postWebhook(t, "calypso", bytes.Replace(good, []byte(`"USDT"`), []byte(`"USDC"`), 1), goodHeader)
	require.Equal(t, http.StatusUnauthorized, status, "a tampered body")

	crypt, _ := fakeWebhook(t, "cryptomus", "another-payment-key", testWallet)
	status, _ = ts.postWebhook(t, "cryptomus", crypt, nil)
	require.Equal(t, http.StatusUnauthorized, status)
	status, _ = ts.postWebhook(t, "cryptomus", []byte(`not json`), nil)
	require.Equal(t, http.StatusUnauthorized, status)

	evs, err := ts.engine.SubjectEvents(ctx, "cust-1")
	require.NoError(t, err)
	require.Empty(t, evs, "nothing stored")
	require.Contains(t, logs.String(), "provider=purse")
	require.Contains(t, logs.String(), "provider=cryptomus")
	require.NotContains(t, logs.String(), sign)
	require.NotContains(t, logs.String(), testCustomer, "nor the body")
}

// A provider without its key has no webhook; a body over 1 MiB is refused
// unread.
func TestWebhookNotConfiguredAndTooLarge(t *testing.T) {
	ts, _ := webhookServer(t, map[string]string{"RESTRICT_CRYPTOMUS_PAYMENT_KEY": testCryptomusPK})
	body, header := fakeWebhook(t, "calypso", testPurseWK, testCustomer)
	status, answer := ts.postWebhook(t, "calypso", body, header)
	require.Equal(t, http.StatusNotFound, status)
	require.Equal(t, problemBase+"no-webhook", answer["type"])

	big := append([]byte(`{"type":"wallet","x":"`), bytes.Repeat([]byte("a"), maxWebhookBody)...)
	status, answer = ts.postWebhook(t, "cryptomus", append(big, `"}`...), nil)
	require.Equal(t, http.StatusRequestEntityTooLarge, status)
	require.Equal(t, problemBase+"body-too-large", answer["type"])
}

func fleetCryptomusCreds() cryptomus.Credentials {
	return cryptomus.Credentials{MerchantID: "8b03432e-385b-4670-8d06-064591096795", PaymentKey: testCryptomusPK}
}
