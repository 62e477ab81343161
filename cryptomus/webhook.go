package cryptomus

import (
	"bytes"
	"encoding/json"
	"errors"
)

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

// lenient is a scalar read as text: a string's value, a number's or a
// boolean's literal, "" for null.
type lenient string

func (l *lenient) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0:
		return errors.New("empty value")
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*l = lenient(s)
	case string(b) == "null":
		*l = ""
	case b[0] == '{' || b[0] == '[':
		return errors.New("an object or array where a scalar is documented")
	default:
		*l = lenient(b)
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
