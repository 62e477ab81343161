package cryptomus

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
)

// Webhook vectors were produced by python3 independently of this package:
// json.dumps(payload, ensure_ascii=False, separators=(',',':')) with "/"
// replaced by "\/" and U+2028 by "\u2028", then
// hashlib.md5(base64.b64encode(s) + b"test-payment-key").
const (
	// A wallet webhook with a URL, HTML characters, non-ASCII text and a
	// U+2028, as Cryptomus posts it: the payload, then sign.
	webhookWallet = `{"type":"wallet","uuid":"62f88b36-a9d5-4fa6-aa26-e040c3dbf26d","order_id":"order-42","amount":"10.00","payment_amount":"10.00","payment_amount_usd":"10.00","merchant_amount":"9.80","commission":"0.20","is_final":true,"status":"paid","from":"THgEWubVc8tPKXLJ4VZ5zbiiAK7AgqSeGH","wallet_address_uuid":"fcc40793-39f9-4fa9-85b2-93148039a72b","network":"tron","currency":"USDT","payer_currency":"USDT","additional_data":"https:\/\/shop.example\/orders\/42?x=<b>&y=1 — Zahlung für Müller, 支付 \u2028end","convert":{"to_currency":"USDT","commission":null,"rate":"1.00000000","amount":"9.80"},"txid":"6f0d9c8374db57cac0d806251473de754f361c83a03cd805f74aa9da3193486b","sign":"6f47e2a5d1be98a378a18372533bfd31"}`
	// The signed form of the second vector is
	// {"type":"payment","uuid":"a","amount":12.50,"n":1e2,"nested":[1,"x\/y",{"k":"ü"}]};
	// the body below carries the same data written differently: sign
	// first, "/" unescaped, ü as \u00fc, spaces.
	webhookReencoded = `{ "sign": "67a143de1352b184d496022f20217728", "type": "payment", "uuid": "a", "amount": 12.50, "n": 1e2, "nested": [1, "x/y", {"k": "\u00fc"}] }`
	// PHP re-encodes an empty object as []; both forms are accepted.
	webhookEmptyAsArray  = `{"type":"wallet","uuid":"b","convert":{},"sign":"1615e5eb3793437337e42c103bd1bf3f"}`
	webhookEmptyAsObject = `{"type":"wallet","uuid":"b","convert":{},"sign":"0b31457255b9bc8172337d321952db8d"}`
)

func TestVerifyWebhookVectors(t *testing.T) {
	t.Parallel()
	w, err := VerifyWebhook(testKey, []byte(webhookWallet))
	require.NoError(t, err)
	require.Equal(t, WebhookWallet, w.Type)
	require.Equal(t, "62f88b36-a9d5-4fa6-aa26-e040c3dbf26d", w.UUID)
	require.Equal(t, "order-42", w.OrderID)
	require.Equal(t, "10.00", w.Amount)
	require.Equal(t, "9.80", w.MerchantAmount)
	require.Equal(t, "0.20", w.Commission)
	require.True(t, w.IsFinal)
	require.Equal(t, "paid", w.Status)
	require.Equal(t, testWallet, w.WalletAddressUUID)
	require.Equal(t, "https://shop.example/orders/42?x=<b>&y=1 — Zahlung für Müller, 支付 \u2028end", w.AdditionalData)
	require.NotNil(t, w.Convert)
	require.Equal(t, WebhookConvert{ToCurrency: "USDT", Rate: "1.00000000", Amount: "9.80"}, *w.Convert)
	require.Equal(t, webhookWallet, string(w.Raw))

	w, err = VerifyWebhook(testKey, []byte(webhookReencoded))
	require.NoError(t, err)
	require.Equal(t, WebhookPayment, w.Type)
	require.Equal(t, "12.50", w.Amount, "a number is kept as its literal")

	// A payout webhook is signed with the payout key: it verifies when
	// that key is given, and not with the payment key.
	payout := `{"type":"payout","uuid":"p","status":"paid"}`
	payoutBody := strings.TrimSuffix(payout, "}") + `,"sign":"` + sign([]byte(payout), "payout-key") + `"}`
	w, err = VerifyWebhook("payout-key", []byte(payoutBody))
	require.NoError(t, err)
	require.Equal(t, WebhookPayout, w.Type)
	_, err = VerifyWebhook(testKey, []byte(payoutBody))
	require.ErrorIs(t, err, restrict.ErrUnauthorized)

	for _, body := range []string{webhookEmptyAsArray, webhookEmptyAsObject} {
		w, err = VerifyWebhook(testKey, []byte(body))
		require.NoError(t, err, body)
		require.Nil(t, w.Convert)
	}
}

func TestVerifyWebhookRejects(t *testing.T) {
	t.Parallel()
	tampered := strings.Replace(webhookWallet, `"amount":"10.00"`, `"amount":"99.00"`, 1)
	unescaped := strings.Replace(webhookWallet, `\u2028`, "\u2028", 1) // same data, still valid
	cases := map[string]struct {
		key  restrict.Secret
		body string
	}{
		"tampered":         {testKey, tampered},
		"wrong key":        {"another-key", webhookWallet},
		"no key":           {"", webhookWallet},
		"blank key":        {"  ", webhookWallet},
		"key with newline": {testKey + "\n", webhookWallet},
		"no sign":          {testKey, `{"type":"wallet","uuid":"b"}`},
		"sign not string":  {testKey, `{"type":"wallet","sign":123}`},
		"two signs":        {testKey, `{"sign":"6f47e2a5d1be98a378a18372533bfd31","sign":"6f47e2a5d1be98a378a18372533bfd31"}`},
		"not JSON":         {testKey, `sign=abc`},
		"array":            {testKey, `[]`},
		"trailing data":    {testKey, webhookWallet + `{}`},
		"empty":            {testKey, ``},
		"truncated":        {testKey, webhookWallet[:100]},
		"sign in nested":   {testKey, `{"type":"wallet","convert":{"sign":"6f47e2a5d1be98a378a18372533bfd31"}}`},
		"empty sign":       {testKey, `{"type":"wallet","sign":""}`},
		"sign of other ex": {testKey, strings.Replace(webhookEmptyAsArray, `"uuid":"b"`, `"uuid":"c"`, 1)},
		"over 1 MiB":       {testKey, `{"pad":"` + strings.Repeat("a", maxWebhookBytes) + `","sign":"x"}`},
		// Signed, but amount is an object where a string is documented.
		"signed, misshapen": {testKey, `{"amount":{"v":1},"sign":"` + sign([]byte(`{"amount":{"v":1}}`), testKey) + `"}`},
	}
	for name, tc := range cases {
		w, err := VerifyWebhook(tc.key, []byte(tc.body))
		require.Nil(t, w, name)
		require.ErrorIs(t, err, restrict.ErrUnauthorized, name)
		var ae *restrict.APIError
		require.True(t, errors.As(err, &ae), name)
		require.Equal(t, "VerifyWebhook", ae.Operation, name)
		require.Equal(t, Provider, ae.Provider, name)
		require.Empty(t, ae.Code, name)
		require.NotContains(t, err.Error(), testKey, name)
	}

	_, err := VerifyWebhook(testKey, []byte(unescaped))
	require.NoError(t, err, "a raw U+2028 in the body is the same data as its escape")
	_, err = VerifyWebhook(testKey, []byte(strings.Replace(webhookWallet, `"sign":"6f47e2a5`, `"sign":"6F47E2A5`, 1)))
	require.NoError(t, err, "hex digits compare without case")
}

// TestPHPString pins the escapes that differ between PHP and Go's default
// encoder.
func TestPHPString(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"a/b":           `"a\/b"`,
		"<&>":           `"<&>"`,
		"é中":            `"é中"`,
		"\u2028\u2029":  `"\u2028\u2029"`,
		"\"\\":          `"\"\\"`,
		"\b\f\n\r\t":    `"\b\f\n\r\t"`,
		"\x00\x1f\x7f":  `"\u0000\u001f` + "\x7f" + `"`,
		"emoji 😀":       `"emoji 😀"`,
		"":              `""`,
		"back\\/slash":  `"back\\\/slash"`,
		"https://x.y/z": `"https:\/\/x.y\/z"`,
	} {
		require.Equal(t, want, phpString(in), "%q", in)
	}
}
