package cryptomustest_test

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/cryptomus"
	"github.com/restrictkit/restrict/cryptomus/cryptomustest"
	"github.com/restrictkit/restrict/restricttest"
)

const (
	merchantID = "8b03432e-385b-4670-8d06-064591096795"
	paymentKey = "test-payment-key"
	// md5(base64(`{"order_id":"1"}`) + "test-payment-key"), computed with
	// openssl.
	signOrder1 = "f2f77229524e11de509eac15cce3f088"
)

var creds = cryptomus.Credentials{MerchantID: merchantID, PaymentKey: paymentKey}

// sign is the request signature, written again here from Cryptomus' docs.
func sign(body string) string {
	sum := md5.Sum([]byte(base64.StdEncoding.EncodeToString([]byte(body)) + paymentKey))
	return hex.EncodeToString(sum[:])
}

func post(t *testing.T, srv *cryptomustest.Server, path, merchant, sign, body string) (int, map[string]any) {
	t.Helper()
	return send(t, http.MethodPost, srv.BaseURL()+path, merchant, sign, body)
}

// send makes one request over loopback and decodes the JSON answer.
func send(t *testing.T, method, url, merchant, sign, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("merchant", merchant)
	req.Header.Set("sign", sign)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var out map[string]any
	require.NoError(t, json.Unmarshal(b, &out), string(b))
	return resp.StatusCode, out
}

func TestFakeChecksSignature(t *testing.T) {
	t.Parallel()
	srv := cryptomustest.NewServer(creds)
	defer srv.Close()
	srv.AddWallet(cryptomustest.Wallet{OrderID: "1"})

	status, out := post(t, srv, "/v1/wallet/block-address", merchantID, signOrder1, `{"order_id":"1"}`)
	require.Equal(t, 200, status)
	require.Equal(t, float64(0), out["state"])
	require.Equal(t, "blocked", out["result"].(map[string]any)["status"])

	invalid := map[string]any{"state": float64(1), "message": "Invalid Sign."}
	// The same data with a space: another body, so another signature.
	status, out = post(t, srv, "/v1/wallet/block-address", merchantID, signOrder1, `{"order_id": "1"}`)
	require.Equal(t, 401, status)
	require.Equal(t, invalid, out)
	status, out = post(t, srv, "/v1/wallet/block-address", "other-merchant", signOrder1, `{"order_id":"1"}`)
	require.Equal(t, 401, status)
	require.Equal(t, invalid, out)
	status, _ = post(t, srv, "/v1/wallet/block-address", merchantID, strings.ToUpper(signOrder1), `{"order_id":"1"}`)
	require.Equal(t, 401, status)
	require.Equal(t, 4, srv.Requests())
}

func TestFakeFaults(t *testing.T) {
	t.Parallel()
	srv := cryptomustest.NewServer(creds)
	defer srv.Close()
	srv.AddWallet(cryptomustest.Wallet{OrderID: "1"})
	srv.Inject(restricttest.Fault{Status: 503, Times: 1})
	req, _ := http.NewRequest(http.MethodPost, srv.BaseURL()+"/v1/wallet/block-address", strings.NewReader(`{"order_id":"1"}`))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 503, resp.StatusCode)
	status, _ := post(t, srv, "/v1/wallet/block-address", merchantID, signOrder1, `{"order_id":"1"}`)
	require.Equal(t, 200, status)
}

// The fake's validation envelopes and wallet state, over raw HTTP.
func TestFakeValidationAndState(t *testing.T) {
	t.Parallel()
	srv := cryptomustest.NewServer(creds)
	defer srv.Close()
	w1 := srv.AddWallet(cryptomustest.Wallet{OrderID: "order-a", Balance: "5.5", Commission: "0.25"})
	w2 := srv.AddWallet(cryptomustest.Wallet{OrderID: "order-b"})

	do := func(path, body string) (int, map[string]any) {
		return post(t, srv, path, merchantID, sign(body), body)
	}

	status, out := do("/v1/wallet/block-address", `{}`)
	require.Equal(t, 422, status)
	require.Equal(t, map[string]any{"state": float64(1), "errors": map[string]any{
		"uuid": []any{"validation.required_without"}, "order_id": []any{"validation.required_without"},
	}}, out)

	status, out = do("/v1/wallet/block-address", `{"uuid":"nope","order_id":"a b"}`)
	require.Equal(t, 422, status)
	require.Equal(t, map[string]any{"uuid": []any{"validation.uuid"}, "order_id": []any{"validation.alpha_dash"}}, out["errors"])

	// Both given: the block page says order_id wins.
	status, out = do("/v1/wallet/block-address", `{"uuid":"`+w1.UUID+`","order_id":"order-b"}`)
	require.Equal(t, 200, status)
	require.Equal(t, w2.UUID, out["result"].(map[string]any)["uuid"])
	got, _ := srv.Wallet(w1.UUID)
	require.Equal(t, cryptomus.WalletStatusActive, got.Status)

	// Refunding an active wallet is refused; the refund page says uuid
	// wins when both are given.
	status, _ = do("/v1/wallet/blocked-address-refund", `{"uuid":"`+w1.UUID+`","order_id":"order-b","address":"TK8Qa2qXnF3rBrSzrHgCHWvv8qXx5UbpYm"}`)
	require.Equal(t, 422, status)

	status, _ = do("/v1/wallet/block-address", `{"uuid":"`+w1.UUID+`","is_force_refund":false}`)
	require.Equal(t, 200, status)
	status, out = do("/v1/wallet/blocked-address-refund", `{"uuid":"`+w1.UUID+`","address":"short"}`)
	require.Equal(t, 422, status)
	require.Equal(t, map[string]any{"address": []any{"validation.min.string"}}, out["errors"])

	status, out = do("/v1/wallet/blocked-address-refund", `{"uuid":"`+w1.UUID+`","address":"TK8Qa2qXnF3rBrSzrHgCHWvv8qXx5UbpYm"}`)
	require.Equal(t, 200, status)
	require.Equal(t, map[string]any{"commission": "0.25", "amount": "5.25"}, out["result"])
	status, out = do("/v1/wallet/blocked-address-refund", `{"order_id":"order-a","address":"TK8Qa2qXnF3rBrSzrHgCHWvv8qXx5UbpYm"}`)
	require.Equal(t, 422, status)
	require.Equal(t, "You can withdraw only once", out["message"])

	status, out = do("/v1/wallet/blocked-address-refund", `{"order_id":"missing","address":"TK8Qa2qXnF3rBrSzrHgCHWvv8qXx5UbpYm"}`)
	require.Equal(t, 404, status)
	require.Equal(t, map[string]any{"state": float64(1), "message": "Not found"}, out)

	status, out = do("/v1/wallet", `{"currency":"USDT","order_id":"`+strings.Repeat("x", 101)+`","url_callback":"nope"}`)
	require.Equal(t, 422, status)
	require.Equal(t, map[string]any{
		"network":      []any{"validation.required"},
		"order_id":     []any{"validation.max.string"},
		"url_callback": []any{"validation.between.string"},
	}, out["errors"])
}

// The fake's webhook signer agrees with an independently computed python3
// vector, and with the client's verifier.
func TestFakeSignsWebhooks(t *testing.T) {
	t.Parallel()
	srv := cryptomustest.NewServer(creds)
	defer srv.Close()
	payload := `{"type":"wallet","uuid":"62f88b36-a9d5-4fa6-aa26-e040c3dbf26d","order_id":"order-42","amount":"10.00","payment_amount":"10.00","payment_amount_usd":"10.00","merchant_amount":"9.80","commission":"0.20","is_final":true,"status":"paid","from":"THgEWubVc8tPKXLJ4VZ5zbiiAK7AgqSeGH","wallet_address_uuid":"fcc40793-39f9-4fa9-85b2-93148039a72b","network":"tron","currency":"USDT","payer_currency":"USDT","additional_data":"https://shop.example/orders/42?x=<b>&y=1 — Zahlung für Müller, 支付 \u2028end","convert":{"to_currency":"USDT","commission":null,"rate":"1.00000000","amount":"9.80"},"txid":"6f0d9c8374db57cac0d806251473de754f361c83a03cd805f74aa9da3193486b"}`
	body := srv.SignWebhookPayload([]byte(payload))
	require.True(t, strings.HasSuffix(string(body), `,"sign":"6f47e2a5d1be98a378a18372533bfd31"}`), string(body))

	w, err := cryptomus.VerifyWebhook(paymentKey, body)
	require.NoError(t, err)
	require.Equal(t, "order-42", w.OrderID)

	typed := srv.SignWebhook(cryptomus.Webhook{Type: cryptomus.WebhookWallet, UUID: "u", OrderID: "o", Amount: "1.5",
		AdditionalData: "https://a.example/ü", Convert: &cryptomus.WebhookConvert{ToCurrency: "USDT", Amount: "1.4"}})
	w, err = cryptomus.VerifyWebhook(paymentKey, typed)
	require.NoError(t, err)
	require.Equal(t, "1.5", w.Amount)
	require.Equal(t, "https://a.example/ü", w.AdditionalData)
	require.Equal(t, "1.4", w.Convert.Amount)
}

// An unknown path is answered as Laravel's router answers it: a 404
// without state, which the client reads as a wrong address, never as a
// missing wallet. A known path with another method is Laravel's 405.
func TestFakeAnswersUnknownRoutesAsLaravel(t *testing.T) {
	t.Parallel()
	srv := cryptomustest.NewServer(creds)
	defer srv.Close()

	status, out := post(t, srv, "/v1/wallet/nope", merchantID, sign(`{}`), `{}`)
	require.Equal(t, 404, status)
	require.Equal(t, map[string]any{"message": "The route v1/wallet/nope could not be found."}, out)
	status, out = send(t, http.MethodGet, srv.BaseURL()+"/v1/wallet", merchantID, sign(``), ``)
	require.Equal(t, 405, status)
	require.Equal(t, map[string]any{"message": "The GET method is not supported for route v1/wallet. Supported methods: POST."}, out)

	w := srv.AddWallet(cryptomustest.Wallet{})
	c, err := cryptomus.New(creds, restrict.WithBaseURL(srv.BaseURL()+"/api"))
	require.NoError(t, err)
	_, err = c.Restrict(context.Background(), restrict.Target{ID: w.UUID})
	require.ErrorIs(t, err, restrict.ErrInvalidRequest)
	require.NotErrorIs(t, err, restrict.ErrNotFound)
	require.Contains(t, err.Error(), "the base URL or path is likely wrong")
	got, _ := srv.Wallet(w.UUID)
	require.Equal(t, cryptomus.WalletStatusActive, got.Status)
}

// Blocking a blocked wallet answers the same success, as inferred of
// Cryptomus; the fake's clock dates the first block and the refund.
func TestFakeBlockTwiceAndClock(t *testing.T) {
	t.Parallel()
	srv := cryptomustest.NewServer(creds)
	defer srv.Close()
	first := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	now := first
	srv.SetClock(func() time.Time { return now })
	w := srv.AddWallet(cryptomustest.Wallet{OrderID: "order-9", Balance: "3.00"})

	body := `{"order_id":"order-9"}`
	want := map[string]any{"state": float64(0), "result": map[string]any{"uuid": w.UUID, "status": "blocked"}}
	for range 2 {
		status, out := post(t, srv, "/v1/wallet/block-address", merchantID, sign(body), body)
		require.Equal(t, 200, status)
		require.Equal(t, want, out)
		now = now.Add(time.Hour)
	}
	got, _ := srv.Wallet("order-9")
	require.Equal(t, first, got.BlockedAt, "the second block changes nothing")
	require.True(t, got.RefundedAt.IsZero())

	body = `{"uuid":"` + w.UUID + `","address":"TK8Qa2qXnF3rBrSzrHgCHWvv8qXx5UbpYm"}`
	status, _ := post(t, srv, "/v1/wallet/blocked-address-refund", merchantID, sign(body), body)
	require.Equal(t, 200, status)
	got, _ = srv.Wallet(w.UUID)
	require.Equal(t, first.Add(2*time.Hour), got.RefundedAt)

	// A nil clock is time.Now again.
	srv.SetClock(nil)
	w = srv.AddWallet(cryptomustest.Wallet{})
	body = `{"uuid":"` + w.UUID + `"}`
	before := time.Now()
	status, _ = post(t, srv, "/v1/wallet/block-address", merchantID, sign(body), body)
	require.Equal(t, 200, status)
	got, _ = srv.Wallet(w.UUID)
	require.WithinRange(t, got.BlockedAt, before, time.Now())
}

// Handler serves the same wallets and faults when mounted elsewhere.
func TestFakeHandlerMountedElsewhere(t *testing.T) {
	t.Parallel()
	srv := cryptomustest.NewServer(creds)
	defer srv.Close()
	other := httptest.NewServer(srv.Handler())
	defer other.Close()
	w := srv.AddWallet(cryptomustest.Wallet{})

	c, err := cryptomus.New(creds, restrict.WithBaseURL(other.URL),
		restrict.WithRetry(restrict.RetryPolicy{MaxAttempts: 2, MinWait: time.Millisecond, MaxWait: time.Millisecond}))
	require.NoError(t, err)
	srv.Inject(restricttest.Fault{Status: 503, Times: 1})
	res, err := c.Restrict(context.Background(), restrict.Target{ID: w.UUID})
	require.NoError(t, err)
	require.Equal(t, restrict.StateRestricted, res.State)
	require.Equal(t, 2, res.Attempts)
	require.Equal(t, 2, srv.Requests())
	got, _ := srv.Wallet(w.UUID)
	require.Equal(t, cryptomus.WalletStatusBlocked, got.Status)
}

func TestNewServerNeedsCredentials(t *testing.T) {
	t.Parallel()
	require.Panics(t, func() { cryptomustest.NewServer(cryptomus.Credentials{MerchantID: merchantID}) })
	require.Panics(t, func() { cryptomustest.NewServer(cryptomus.Credentials{PaymentKey: paymentKey}) })
}
