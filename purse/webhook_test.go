package purse_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/purse"
)

// webhookKey is a subscription's secretKey, which is not the API secret.
const webhookKey restrict.Secret = "webhook-secret-key-0001"

// fundsReceived is CUSTOMER_PURSE_FUNDS_RECEIVED_FOR_PURSE for a blocked
// customer, in the documented envelope.
const fundsReceived = `{"requestId":"bf9348b7-2c14-46d7-868c-b597852da319","id":17,"createdDate":"2022-03-15T12:13:05.909616",` +
	`"level":"SUCCESS","service":"CUSTOMER_PURSE","eventType":"CUSTOMER_PURSE_FUNDS_RECEIVED_FOR_PURSE",` +
	`"data":{"currency":"USDT","customerId":"` + custID + `","customerBlocked":true,"purseId":"p-1","address":"TXYZ",` +
	`"transactionId":"` + txID + `","amount":0.01,"transactionState":"CONFIRMED"}}`

func TestVerifyWebhook(t *testing.T) {
	t.Parallel()
	body := []byte(fundsReceived)
	got, err := purse.VerifyWebhook(webhookKey, body, hmacHex(string(webhookKey), body))
	require.NoError(t, err)
	require.Equal(t, &purse.Webhook{
		RequestID: "bf9348b7-2c14-46d7-868c-b597852da319", ID: "17", CreatedDate: "2022-03-15T12:13:05.909616",
		Level: "SUCCESS", Service: "CUSTOMER_PURSE", EventType: purse.WebhookFundsReceived,
		Data: purse.WebhookData{CustomerID: custID, Blocked: true, PurseID: "p-1", Address: "TXYZ", TransactionID: txID, Currency: "USDT", Amount: "0.01"},
		Raw:  json.RawMessage(fundsReceived),
	}, got)

	// Raw is a copy: the caller's buffer may be reused.
	body[0] = ' '
	require.Equal(t, byte('{'), got.Raw[0])

	// Calypso's hex may come in either case.
	got, err = purse.VerifyWebhook(webhookKey, []byte(fundsReceived), strings.ToUpper(hmacHex(string(webhookKey), []byte(fundsReceived))))
	require.NoError(t, err)
	require.Equal(t, purse.WebhookFundsReceived, got.EventType)
}

// TestVerifyWebhookLenientData: the payload table types transactionId and
// currency as numbers and the block how-to writes "blocked"; a body
// signed by Calypso is read whichever it sends.
func TestVerifyWebhookLenientData(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		data string
		want purse.WebhookData
	}{
		"Numbers":      {`{"transactionId":42,"currency":3,"amount":"5.5"}`, purse.WebhookData{TransactionID: "42", Currency: "3", Amount: "5.5"}},
		"BlockedAlias": {`{"customerId":"c","blocked":true}`, purse.WebhookData{CustomerID: "c", Blocked: true}},
		"BothFalse":    {`{"customerBlocked":false,"blocked":false}`, purse.WebhookData{}},
		"Nulls":        {`{"transactionId":null,"currency":null,"amount":null}`, purse.WebhookData{}},
		"Expired":      {`{"customerId":"c","customerBlocked":false,"purseId":"p","address":"a"}`, purse.WebhookData{CustomerID: "c", PurseID: "p", Address: "a"}},
	} {
		body := []byte(`{"eventType":"CUSTOMER_PURSE_EXPIRED","data":` + tc.data + `}`)
		got, err := purse.VerifyWebhook(webhookKey, body, purse.Sign(webhookKey, body))
		require.NoError(t, err, name)
		require.Equal(t, tc.want, got.Data, name)
	}
}

func TestVerifyWebhookRefusals(t *testing.T) {
	t.Parallel()
	body := []byte(fundsReceived)
	good := hmacHex(string(webhookKey), body)
	notJSON := []byte(`{"eventType":`)
	noType := []byte(`{"data":{"customerId":"c"}}`)
	wrongType := []byte(`{"eventType":"X","data":{"customerBlocked":"yes"}}`)
	for name, tc := range map[string]struct {
		key  restrict.Secret
		body []byte
		sign string
	}{
		"EmptyKey":     {"", body, good},
		"OtherKey":     {"other", body, good},
		"APISecret":    {testSecret, body, good},
		"BodyChanged":  {webhookKey, append([]byte(fundsReceived), ' '), good},
		"NotHex":       {webhookKey, body, "not hex"},
		"Truncated":    {webhookKey, body, good[:64]},
		"EmptySign":    {webhookKey, body, ""},
		"MalformedSig": {webhookKey, body, good + "00"},
		"NotJSON":      {webhookKey, notJSON, hmacHex(string(webhookKey), notJSON)},
		"NoEventType":  {webhookKey, noType, hmacHex(string(webhookKey), noType)},
		"WrongType":    {webhookKey, wrongType, hmacHex(string(webhookKey), wrongType)},
	} {
		got, err := purse.VerifyWebhook(tc.key, tc.body, tc.sign)
		require.Nil(t, got, name)
		require.ErrorIs(t, err, restrict.ErrUnauthorized, name)
		var ae *restrict.APIError
		require.ErrorAs(t, err, &ae, name)
		require.Equal(t, "VerifyWebhook", ae.Operation, name)
		require.NotContains(t, err.Error(), string(webhookKey), name)
		require.NotContains(t, err.Error(), custID, name)
	}
}
