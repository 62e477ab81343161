package purse

import (
	"crypto/hmac"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"

	"github.com/restrictkit/restrict"
)

// WebhookEvent is a webhook's eventType.
type WebhookEvent string

// The customer purse events Calypso documents [C], in the order a deposit
// goes through them.
const (
	// WebhookPurseExpired: the address was not replenished and expired
	// after 30 days.
	WebhookPurseExpired WebhookEvent = "CUSTOMER_PURSE_EXPIRED"
	// WebhookMemPoolFound: a deposit is pending in the mempool (not
	// guaranteed to be sent).
	WebhookMemPoolFound WebhookEvent = "CUSTOMER_PURSE_MEM_POOL_FOUND"
	// WebhookPendingCompliance: the deposit is under compliance check.
	WebhookPendingCompliance WebhookEvent = "CUSTOMER_PURSE_PENDING_COMPLIANCE"
	// WebhookComplianceDeclined: the deposit failed the compliance check,
	// and the address is blocked for further deposits.
	WebhookComplianceDeclined WebhookEvent = "CUSTOMER_PURSE_COMPLIANCE_DECLINED"
	// WebhookFundsReceived: the deposit was received. For a blocked
	// customer it is credited to the merchant, and Data.Blocked is true.
	WebhookFundsReceived WebhookEvent = "CUSTOMER_PURSE_FUNDS_RECEIVED_FOR_PURSE"
	// WebhookTranslationToAccountCompleted: the funds were credited to the
	// merchant's account.
	WebhookTranslationToAccountCompleted WebhookEvent = "CUSTOMER_PURSE_TRANSLATION_TO_ACCOUNT_COMPLETED"
)

// Webhook is a notification Calypso posted to a subscription's url, as
// VerifyWebhook returns it once its signature holds. The envelope's fields
// are documented [C]; Data holds the customer purse events' fields.
//
// https://docs.calypso.finance/get-started-with-calypso-api/webhook-subscriptions/webhook-payload
type Webhook struct {
	// RequestID is the requestId of the subscription that sent it.
	RequestID string `json:"requestId"`
	// ID is the event's id, documented as a number.
	ID          json.Number `json:"id"`
	CreatedDate string      `json:"createdDate"`
	// Level is SUCCESS, INFO or WARNING.
	Level string `json:"level"`
	// Service is the group the event belongs to (INVOICE, PAYOUT, ...);
	// the customer purse group's name is not documented.
	Service   string       `json:"service"`
	EventType WebhookEvent `json:"eventType"`
	Data      WebhookData  `json:"data"`
	// Raw is the verified body, for fields this type does not name.
	Raw json.RawMessage `json:"-"`
}

// WebhookData is the data of a customer purse event. Its names are those
// of the customers' webhook page [C]; an event carries the ones that
// concern it (CUSTOMER_PURSE_EXPIRED has no transaction).
//
// https://docs.calypso.finance/acquiring/customers/customers-webhooks
type WebhookData struct {
	// CustomerID is Calypso's ID of the customer.
	CustomerID string `json:"customerId"`
	// Blocked is the customer's block status, customerBlocked in the
	// payload table. The block how-to writes it "blocked": true [I];
	// either name being true sets it.
	Blocked bool `json:"customerBlocked"`
	// PurseID is Calypso's ID of the deposit address.
	PurseID string `json:"purseId"`
	// Address is the customer's deposit address.
	Address string `json:"address"`
	// TransactionID is the deposit's ID, for GetTransaction. The table
	// types it (and Currency) as a number, where the API sends a UUID
	// (and a currency's name): either is read as text.
	TransactionID string `json:"transactionId"`
	Currency      string `json:"currency"`
	// Amount is kept as the decimal Calypso sent.
	Amount json.Number `json:"amount"`
}

// UnmarshalJSON reads the fields whose documented types disagree
// leniently: the signature has vouched for the body, so a type the docs
// got wrong must not lose the whole webhook.
func (d *WebhookData) UnmarshalJSON(b []byte) error {
	type fields WebhookData // the same fields, without this method
	var v struct {
		fields
		TransactionID text `json:"transactionId"`
		Currency      text `json:"currency"`
		Blocked       bool `json:"blocked"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*d = WebhookData(v.fields)
	d.TransactionID, d.Currency = string(v.TransactionID), string(v.Currency)
	d.Blocked = d.Blocked || v.Blocked
	return nil
}

// text is a JSON string's value or a JSON number's literal; null is "".
type text string

func (t *text) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		*t = text(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*t = text(n)
	return nil
}

// VerifyWebhook checks that sign, the Sign header of a webhook, is the
// lowercase (or uppercase) hex HMAC-SHA512 of body keyed with secretKey,
// and returns the decoded webhook. secretKey is the subscription's, which
// /api/v1/subscription/webhook/create returns (and "Regenerate Webhook Api
// keys" rotates), not the API secret. The comparison is in constant time.
// Every failure (an empty key, a sign that is not hex or does not match, a
// body that is not a webhook) is an *restrict.APIError matching
// restrict.ErrUnauthorized, which says nothing of the key or the body.
//
// https://docs.calypso.money/get-started-with-calypso-api/webhook-subscriptions/sign-check
func VerifyWebhook(secretKey restrict.Secret, body []byte, sign string) (*Webhook, error) {
	refuse := func(message string, err error) (*Webhook, error) {
		return nil, &restrict.APIError{Provider: Provider, Operation: "VerifyWebhook", Class: restrict.ErrUnauthorized, Message: message, Err: err}
	}
	if secretKey == "" {
		return refuse("the subscription's secretKey is empty", nil)
	}
	got, err := hex.DecodeString(sign)
	if err != nil || len(got) != sha512.Size {
		return refuse("the Sign header is not a hex HMAC-SHA512", nil)
	}
	if !hmac.Equal(got, mac(secretKey, body)) {
		return refuse("the Sign header does not match the body", nil)
	}
	var w Webhook
	if err := json.Unmarshal(body, &w); err != nil {
		return refuse("the signed body is not a webhook", err)
	}
	if w.EventType == "" {
		return refuse("the signed body has no eventType", nil)
	}
	w.Raw = append(json.RawMessage(nil), body...)
	return &w, nil
}
