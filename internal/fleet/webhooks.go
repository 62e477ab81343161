package fleet

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/cryptomus"
	"github.com/restrictkit/restrict/cryptomus/cryptomustest"
	"github.com/restrictkit/restrict/internal/transport"
	"github.com/restrictkit/restrict/purse"
)

// WebhookEvent is what a verified webhook reports about a provider's
// targets. The console stores it as a bulk.WebhookEvent; the fleet does not
// link bulk.
type WebhookEvent struct {
	// ID is unique per event: the provider's own event ID where it has
	// one, else the SHA-256 of the body; prefixed by the provider's name.
	ID       string
	Provider string
	Type     string
	// Targets are the IDs the event concerns, in the forms a subjects
	// file may give them.
	Targets  []string
	Amount   string
	Currency string
	Status   string
	// Funds says the event reports money received.
	Funds bool
}

// WebhookRoute is a provider that posts webhooks: the route they are
// received on, the variable holding the key that verifies them, how they
// are verified, and how a fake one is made.
type WebhookRoute struct {
	// Route is the last part of the path, /webhooks/<Route>: the name the
	// provider is known by on its own dashboard (Calypso for purse).
	Route    string
	Provider string
	// KeyVar is the provider's variable (a Var.Name) whose value verifies
	// its webhooks.
	KeyVar string
	// Verify checks a webhook's signature with key and reads what it
	// reports; every failure is an error matching restrict.ErrUnauthorized.
	Verify func(key restrict.Secret, body []byte, header http.Header) (WebhookEvent, error)
	// Fake makes the body and headers the provider would post for money
	// received by target, signed with key.
	Fake func(key restrict.Secret, target, amount, currency string) ([]byte, http.Header, error)
}

// WebhookRoutes are the providers whose webhooks restrict serve receives.
var WebhookRoutes = []WebhookRoute{
	{Route: "cryptomus", Provider: cryptomus.Provider, KeyVar: "PAYMENT_KEY", Verify: verifyCryptomus, Fake: fakeCryptomus},
	{Route: "calypso", Provider: purse.Provider, KeyVar: "WEBHOOK_KEY", Verify: verifyPurse, Fake: fakePurse},
}

// Webhooks are the verifiers of the providers whose key getenv sets, by
// route: a provider without its key has none, and its route answers 404.
func Webhooks(getenv func(string) string) map[string]func(body []byte, header http.Header) (WebhookEvent, error) {
	out := make(map[string]func([]byte, http.Header) (WebhookEvent, error))
	for _, wr := range WebhookRoutes {
		key := restrict.Secret(strings.TrimSpace(getenv(Prefix(wr.Provider) + wr.KeyVar)))
		if key == "" {
			continue
		}
		out[wr.Route] = func(body []byte, header http.Header) (WebhookEvent, error) {
			return wr.Verify(key, body, header)
		}
	}
	return out
}

// LookupWebhook returns the webhook route of a provider, by its package
// name or by its route.
func LookupWebhook(name string) (WebhookRoute, bool) {
	for _, wr := range WebhookRoutes {
		if wr.Provider == name || wr.Route == name {
			return wr, true
		}
	}
	return WebhookRoute{}, false
}

// bodyID is an event's ID for a provider without an event ID of its own:
// the same body posted again is the same event.
func bodyID(provider string, body []byte) string {
	sum := sha256.Sum256(body)
	return provider + ":" + hex.EncodeToString(sum[:])
}

// verifyCryptomus reads a payment or wallet webhook. A Cryptomus subject is
// a static wallet, by its UUID or its order ID, so both are targets. The
// payment's uuid is shared by every status webhook of one payment, so the
// event is identified by its body.
func verifyCryptomus(key restrict.Secret, body []byte, _ http.Header) (WebhookEvent, error) {
	w, err := cryptomus.VerifyWebhook(key, body)
	if err != nil {
		return WebhookEvent{}, err
	}
	ev := WebhookEvent{ID: bodyID(cryptomus.Provider, body), Provider: cryptomus.Provider, Type: string(w.Type),
		Amount: w.PaymentAmount, Currency: w.Currency, Status: w.Status}
	if ev.Amount == "" {
		ev.Amount = w.Amount
	}
	for _, t := range []string{w.WalletAddressUUID, w.OrderID} {
		if t != "" {
			ev.Targets = append(ev.Targets, t)
		}
	}
	ev.Funds = (w.Type == cryptomus.WebhookWallet || w.Type == cryptomus.WebhookPayment) &&
		(w.Status == "paid" || w.Status == "paid_over")
	return ev, nil
}

// verifyPurse reads a customer purse webhook, whose subject is the
// customer by Calypso's customer ID (purse.CheckTargetID).
func verifyPurse(key restrict.Secret, body []byte, header http.Header) (WebhookEvent, error) {
	w, err := purse.VerifyWebhook(key, body, header.Get("Sign"))
	if err != nil {
		return WebhookEvent{}, err
	}
	ev := WebhookEvent{ID: purse.Provider + ":" + w.ID.String(), Provider: purse.Provider, Type: string(w.EventType),
		Amount: w.Data.Amount.String(), Currency: w.Data.Currency, Status: w.Level,
		Funds: w.EventType == purse.WebhookFundsReceived}
	if w.ID == "" {
		ev.ID = bodyID(purse.Provider, body)
	}
	if w.Data.CustomerID != "" {
		ev.Targets = []string{w.Data.CustomerID}
	}
	return ev, nil
}

// fakeCryptomus makes a wallet top-up webhook, paid, as Cryptomus' webhook
// page shows one: for a target that is a UUID the wallet's
// wallet_address_uuid, else its order_id. It is signed as Cryptomus signs
// (md5 of the base64 of the payload, PHP-encoded, and the payment key) in
// a sign field.
//
// https://doc.cryptomus.com/en/business/payments/webhook
func fakeCryptomus(key restrict.Secret, target, amount, currency string) ([]byte, http.Header, error) {
	if err := cryptomus.CheckTargetID(target); err != nil {
		return nil, nil, err
	}
	if key == "" {
		return nil, nil, errors.New("cryptomus: the payment key is empty")
	}
	wallet, order := randomUUID(), target
	if transport.CheckUUID(target) == "" {
		wallet, order = target, ""
	}
	payload := struct {
		Type              string  `json:"type"`
		UUID              string  `json:"uuid"`
		OrderID           *string `json:"order_id"`
		Amount            string  `json:"amount"`
		PaymentAmount     string  `json:"payment_amount"`
		PaymentAmountUSD  string  `json:"payment_amount_usd"`
		MerchantAmount    string  `json:"merchant_amount"`
		Commission        string  `json:"commission"`
		IsFinal           bool    `json:"is_final"`
		Status            string  `json:"status"`
		From              *string `json:"from"`
		WalletAddressUUID string  `json:"wallet_address_uuid"`
		Network           string  `json:"network"`
		Currency          string  `json:"currency"`
		PayerCurrency     string  `json:"payer_currency"`
		AdditionalData    *string `json:"additional_data"`
		TxID              string  `json:"txid"`
	}{
		Type: "wallet", UUID: randomUUID(), Amount: amount, PaymentAmount: amount, PaymentAmountUSD: amount,
		MerchantAmount: amount, Commission: "0", IsFinal: true, Status: "paid", WalletAddressUUID: wallet,
		Network: "tron", Currency: currency, PayerCurrency: currency, TxID: randomHex(32),
	}
	if order != "" {
		payload.OrderID = &order
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(payload); err != nil {
		return nil, nil, err
	}
	body := cryptomustest.SignWebhookPayloadWith(string(key), bytes.TrimSpace(b.Bytes()))
	return body, http.Header{"Content-Type": {"application/json"}}, nil
}

// fakePurse makes a CUSTOMER_PURSE_FUNDS_RECEIVED_FOR_PURSE webhook for
// the customer target, in Calypso's envelope, with its Sign header: the
// hex HMAC-SHA512 of the body keyed with the subscription's secretKey.
//
// https://docs.calypso.finance/acquiring/customers/customers-webhooks
// https://docs.calypso.money/get-started-with-calypso-api/webhook-subscriptions/sign-check
func fakePurse(key restrict.Secret, target, amount, currency string) ([]byte, http.Header, error) {
	if err := purse.CheckTargetID(target); err != nil {
		return nil, nil, err
	}
	if key == "" {
		return nil, nil, errors.New("purse: the webhook key is empty")
	}
	if _, err := json.Number(amount).Float64(); err != nil {
		return nil, nil, fmt.Errorf("purse: amount %q is not a number", amount)
	}
	var idb [8]byte
	_, _ = rand.Read(idb[:])
	payload := map[string]any{
		"requestId":   randomUUID(),
		"id":          binary.BigEndian.Uint64(idb[:]) >> 12, // below 2^53: exact as a JSON number anywhere
		"createdDate": time.Now().UTC().Format(time.RFC3339),
		"level":       "SUCCESS",
		"service":     "CUSTOMER",
		"eventType":   purse.WebhookFundsReceived,
		"data": map[string]any{
			"customerId":      target,
			"customerBlocked": false,
			"purseId":         randomUUID(),
			"address":         "T" + randomHex(16),
			"transactionId":   randomUUID(),
			"currency":        currency,
			"amount":          json.Number(amount),
		},
	}
	body, err := json.Marshal(payload)
	if err != nil {
		return nil, nil, err
	}
	m := hmac.New(sha512.New, []byte(key))
	m.Write(body)
	return body, http.Header{"Content-Type": {"application/json"}, "Sign": {hex.EncodeToString(m.Sum(nil))}}, nil
}
