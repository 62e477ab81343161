package cryptomus

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"strings"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/transport"
)

// maxWebhookBytes bounds the webhook bodies VerifyWebhook reads; a real one
// is under a few kilobytes.
const maxWebhookBytes = 1 << 20

// VerifyWebhook checks the sign field of a webhook body Cryptomus posted to
// a url_callback, and returns its payload. paymentKey is the merchant's
// payment key, which signs payment and wallet webhooks; a payout webhook is
// signed with the payout key, and verifies when that key is given instead.
//
// Cryptomus puts the signature in the body, not in a header: sign is
// md5(base64(payload) + key) over the payload without sign, encoded as
// PHP's json_encode(JSON_UNESCAPED_UNICODE) does: compact, keys in the
// order sent, numbers verbatim, non-ASCII text raw, "/" escaped as "\/".
// PHP turns an empty object into [] when it decodes and re-encodes, so a
// body holding {} verifies signed either way. The signature is compared in
// constant time, and bodies over 1 MiB are refused unread.
//
// Every failure, a malformed body or an unusable key included, matches
// restrict.ErrUnauthorized: a webhook that cannot be verified must not be
// acted on. The webhook page shows the check in PHP only; the re-encoding
// rules above are inferred from it and from the SDKs that verify this way
// (pyCryptomusAPI among them).
//
// https://doc.cryptomus.com/en/business/payments/webhook
func VerifyWebhook(paymentKey restrict.Secret, body []byte) (*Webhook, error) {
	fail := func(msg string) (*Webhook, error) {
		return nil, &restrict.APIError{Provider: Provider, Operation: "VerifyWebhook", Class: restrict.ErrUnauthorized, Message: msg}
	}
	if p := transport.CheckCredential(string(paymentKey)); p != "" {
		// With an empty key the sign is a bare MD5 that anyone can make.
		return fail("paymentKey " + p)
	}
	if len(body) > maxWebhookBytes {
		return fail("webhook body larger than 1 MiB")
	}
	got, candidates, err := webhookSigned(body)
	if err != nil {
		return fail(err.Error())
	}
	ok := 0
	for _, data := range candidates {
		want := sign(data, string(paymentKey))
		ok |= subtle.ConstantTimeCompare([]byte(want), []byte(strings.ToLower(got)))
	}
	if ok != 1 {
		return fail("the webhook's sign does not match its payload")
	}
	var w Webhook
	if err := json.Unmarshal(body, &w); err != nil {
		// The signature is good but the payload is not shaped as
		// documented; acting on a half-read payload would be worse than
		// refusing it.
		return fail("signed webhook payload is not shaped as documented: " + err.Error())
	}
	w.Raw = append(json.RawMessage(nil), body...)
	return &w, nil
}

// WebhookType says what a webhook is about.
type WebhookType string

// The webhook types Cryptomus documents.
const (
	// WebhookPayment is an invoice's status change.
	WebhookPayment WebhookType = "payment"
	// WebhookWallet is a top-up of a static wallet.
	WebhookWallet WebhookType = "wallet"
	// WebhookPayout is a payout's status change; it is signed with the
	// payout key.
	WebhookPayout WebhookType = "payout"
)

// Webhook is the payload Cryptomus posts to url_callback, as returned by
// VerifyWebhook. Amounts are kept as the exact decimal strings sent; an
// amount sent as a JSON number is kept as its literal, and a null as "".
//
// https://doc.cryptomus.com/en/business/payments/webhook
type Webhook struct {
	Type    WebhookType `json:"type"`
	UUID    string      `json:"uuid"`     // the payment's UUID
	OrderID string      `json:"order_id"` // the merchant's order ID
	// Amount is the invoice amount.
	Amount string `json:"amount"`
	// PaymentAmount is what the client actually paid, and
	// PaymentAmountUSD the same in US dollars.
	PaymentAmount    string `json:"payment_amount"`
	PaymentAmountUSD string `json:"payment_amount_usd"`
	// MerchantAmount is what was credited to the merchant's balance, every
	// commission subtracted.
	MerchantAmount string `json:"merchant_amount"`
	// Commission is Cryptomus' commission.
	Commission string `json:"commission"`
	// IsFinal reports that the invoice can no longer be paid.
	IsFinal bool `json:"is_final"`
	// Status is the payment status: confirm_check, paid, paid_over, fail,
	// wrong_amount, cancel, system_fail, refund_process, refund_fail or
	// refund_paid.
	Status string `json:"status"`
	// From is the payer's wallet address.
	From string `json:"from"`
	// WalletAddressUUID is the static wallet's UUID, on wallet webhooks.
	WalletAddressUUID string `json:"wallet_address_uuid"`
	Network           string `json:"network"`
	Currency          string `json:"currency"`
	// PayerCurrency is the currency the client actually paid with, and
	// PayerAmount the amount in it.
	PayerCurrency           string `json:"payer_currency"`
	PayerAmount             string `json:"payer_amount"`
	PayerAmountExchangeRate string `json:"payer_amount_exchange_rate"`
	// TransferID identifies an internal P2P transfer, for local payments.
	TransferID string `json:"transfer_id"`
	// AdditionalData is the string given when the invoice was created.
	AdditionalData string `json:"additional_data"`
	// Convert is set when the payment is converted automatically.
	Convert *WebhookConvert `json:"convert"`
	// TxID is the transaction hash on the blockchain, where there is one.
	TxID string `json:"txid"`
	// Raw is the verified body, sign included, for fields this type does
	// not name.
	Raw json.RawMessage `json:"-"`
}

// WebhookConvert describes the automatic conversion of a payment.
type WebhookConvert struct {
	ToCurrency string `json:"to_currency"`
	Commission string `json:"commission"`
	Rate       string `json:"rate"`
	Amount     string `json:"amount"`
}

// UnmarshalJSON reads the payload leniently: the signature has already
// vouched for it, so a field sent as a number where a string is documented
// (or an empty object that PHP wrote as []) must not lose the whole webhook.
func (w *Webhook) UnmarshalJSON(b []byte) error {
	var raw struct {
		Type                    lenient        `json:"type"`
		UUID                    lenient        `json:"uuid"`
		OrderID                 lenient        `json:"order_id"`
		Amount                  lenient        `json:"amount"`
		PaymentAmount           lenient        `json:"payment_amount"`
		PaymentAmountUSD        lenient        `json:"payment_amount_usd"`
		MerchantAmount          lenient        `json:"merchant_amount"`
		Commission              lenient        `json:"commission"`
		IsFinal                 lenient        `json:"is_final"`
		Status                  lenient        `json:"status"`
		From                    lenient        `json:"from"`
		WalletAddressUUID       lenient        `json:"wallet_address_uuid"`
		Network                 lenient        `json:"network"`
		Currency                lenient        `json:"currency"`
		PayerCurrency           lenient        `json:"payer_currency"`
		PayerAmount             lenient        `json:"payer_amount"`
		PayerAmountExchangeRate lenient        `json:"payer_amount_exchange_rate"`
		TransferID              lenient        `json:"transfer_id"`
		AdditionalData          lenient        `json:"additional_data"`
		Convert                 *lenientObject `json:"convert"`
		TxID                    lenient        `json:"txid"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*w = Webhook{
		Type:                    WebhookType(raw.Type),
		UUID:                    string(raw.UUID),
		OrderID:                 string(raw.OrderID),
		Amount:                  string(raw.Amount),
		PaymentAmount:           string(raw.PaymentAmount),
		PaymentAmountUSD:        string(raw.PaymentAmountUSD),
		MerchantAmount:          string(raw.MerchantAmount),
		Commission:              string(raw.Commission),
		IsFinal:                 raw.IsFinal == "true" || raw.IsFinal == "1",
		Status:                  string(raw.Status),
		From:                    string(raw.From),
		WalletAddressUUID:       string(raw.WalletAddressUUID),
		Network:                 string(raw.Network),
		Currency:                string(raw.Currency),
		PayerCurrency:           string(raw.PayerCurrency),
		PayerAmount:             string(raw.PayerAmount),
		PayerAmountExchangeRate: string(raw.PayerAmountExchangeRate),
		TransferID:              string(raw.TransferID),
		AdditionalData:          string(raw.AdditionalData),
		TxID:                    string(raw.TxID),
	}
	if raw.Convert != nil && raw.Convert.present {
		w.Convert = &WebhookConvert{
			ToCurrency: string(raw.Convert.ToCurrency),
			Commission: string(raw.Convert.Commission),
			Rate:       string(raw.Convert.Rate),
			Amount:     string(raw.Convert.Amount),
		}
	}
	return nil
}

// lenientObject is the convert object, or nothing when it is empty ({} or
// PHP's []) or null.
type lenientObject struct {
	present    bool
	ToCurrency lenient
	Commission lenient
	Rate       lenient
	Amount     lenient
}

func (o *lenientObject) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '[' {
		var empty []json.RawMessage
		if err := json.Unmarshal(b, &empty); err != nil || len(empty) != 0 {
			return errors.New("convert is a non-empty array")
		}
		return nil
	}
	var v struct {
		ToCurrency lenient `json:"to_currency"`
		Commission lenient `json:"commission"`
		Rate       lenient `json:"rate"`
		Amount     lenient `json:"amount"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*o = lenientObject{ToCurrency: v.ToCurrency, Commission: v.Commission, Rate: v.Rate, Amount: v.Amount}
	// An empty object, like PHP's [], says no conversion happened.
	o.present = v.ToCurrency != "" || v.Commission != "" || v.Rate != "" || v.Amount != ""
	return nil
}

// webhookSigned returns the sign field of a webhook body and the encodings
// of the rest that Cryptomus may have signed. There is one, unless the body
// holds an empty object: PHP decodes {} to an empty array and re-encodes it
// as [], so Cryptomus' own SDK verifies with [] there, while a sender that
// kept the object signed {}. Both are accepted; each is a MAC with the key.
func webhookSigned(body []byte) (string, [][]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var e phpEncoder
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return "", nil, errors.New("webhook body is not a JSON object")
	}
	var got string
	found := false
	e.open('{')
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return "", nil, errors.New("webhook body is malformed JSON")
		}
		name := k.(string)
		if name == "sign" {
			v, err := dec.Token()
			s, isString := v.(string)
			if err != nil || !isString {
				return "", nil, errors.New("webhook sign is not a string")
			}
			if found {
				return "", nil, errors.New("webhook has more than one sign field")
			}
			got, found = s, true
			continue
		}
		e.key(name)
		if err := e.value(dec); err != nil {
			return "", nil, errors.New("webhook body is malformed JSON")
		}
	}
	if _, err := dec.Token(); err != nil {
		return "", nil, errors.New("webhook body is malformed JSON")
	}
	if _, err := dec.Token(); err != io.EOF {
		return "", nil, errors.New("webhook body has data after the JSON object")
	}
	if !found {
		return "", nil, errors.New("webhook has no sign field")
	}
	e.close('}')
	out := [][]byte{e.buf.Bytes()}
	if e.emptyObjects {
		out = append(out, e.alt.Bytes())
	}
	return got, out, nil
}

// phpEncoder writes JSON as PHP's json_encode($v, JSON_UNESCAPED_UNICODE)
// does, twice: buf keeps empty objects as {}, alt writes them as [] (what a
// PHP decode and re-encode makes of them).
type phpEncoder struct {
	buf, alt     bytes.Buffer
	first        []bool // per open container: no member written yet
	emptyObjects bool
}

func (e *phpEncoder) write(s string) {
	e.buf.WriteString(s)
	e.alt.WriteString(s)
}

func (e *phpEncoder) open(c byte) {
	e.buf.WriteByte(c)
	e.alt.WriteByte(c)
	e.first = append(e.first, true)
}

func (e *phpEncoder) close(c byte) {
	e.first = e.first[:len(e.first)-1]
	e.buf.WriteByte(c)
	e.alt.WriteByte(c)
}

// sep writes the comma before every member but the first.
func (e *phpEncoder) sep() {
	top := len(e.first) - 1
	if !e.first[top] {
		e.write(",")
	}
	e.first[top] = false
}

func (e *phpEncoder) key(k string) {
	e.sep()
	e.write(phpString(k))
	e.write(":")
}

// value copies one JSON value from dec.
func (e *phpEncoder) value(dec *json.Decoder) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch v := tok.(type) {
	case json.Delim:
		switch v {
		case '{':
			if !dec.More() {
				if _, err := dec.Token(); err != nil {
					return err
				}
				e.buf.WriteString("{}")
				e.alt.WriteString("[]")
				e.emptyObjects = true
				return nil
			}
			e.open('{')
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return err
				}
				e.key(k.(string))
				if err := e.value(dec); err != nil {
					return err
				}
			}
			if _, err := dec.Token(); err != nil {
				return err
			}
			e.close('}')
		case '[':
			e.open('[')
			for dec.More() {
				e.sep()
				if err := e.value(dec); err != nil {
					return err
				}
			}
			if _, err := dec.Token(); err != nil {
				return err
			}
			e.close(']')
		default:
			return errors.New("unexpected delimiter")
		}
	case string:
		e.write(phpString(v))
	case json.Number:
		e.write(v.String())
	case bool:
		if v {
			e.write("true")
		} else {
			e.write("false")
		}
	case nil:
		e.write("null")
	}
	return nil
}

// phpString quotes s as json_encode with JSON_UNESCAPED_UNICODE does: raw
// UTF-8, "/" as "\/", the short escapes PHP knows, other control
// characters as \u00XX in lowercase hex, and U+2028 and U+2029 escaped
// (PHP escapes them unless JSON_UNESCAPED_LINE_TERMINATORS is given).
func phpString(s string) string {
	const hexDigits = "0123456789abcdef"
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '/':
			b.WriteString(`\/`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\u2028':
			b.WriteString(`\u2028`)
		case '\u2029':
			b.WriteString(`\u2029`)
		default:
			if r < 0x20 {
				b.WriteString(`\u00`)
				b.WriteByte(hexDigits[r>>4])
				b.WriteByte(hexDigits[r&0xf])
				continue
			}
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
