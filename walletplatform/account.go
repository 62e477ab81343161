package walletplatform

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/transport"
)

// AccountAction is the action query parameter of freeze-unfreeze.
type AccountAction string

// The two actions freeze-unfreeze takes.
//
// The documentation's curl examples are labelled the wrong way round (its
// "Freeze Account" example sends action=UNFREEZE); the parameter's own
// description, and the endpoint, say action=FREEZE freezes, and that is
// what this package sends.
const (
	Freeze   AccountAction = "FREEZE"
	Unfreeze AccountAction = "UNFREEZE"
)

// freezeQuery is the query of freeze-unfreeze, built as url.Values so the
// transport sends it without encoding a struct by reflection on every call.
func freezeQuery(action AccountAction) url.Values {
	return url.Values{"action": {string(action)}}
}

// freezeRequest is the body of freeze-unfreeze.
type freezeRequest struct {
	AccountID string `json:"accountId"`
}

// FreezeResult is the provider's answer to a freeze or an unfreeze.
type FreezeResult struct {
	restrict.Meta
	// AccountID is the account the call was made for.
	AccountID string
	// Action is the action sent: Freeze or Unfreeze.
	Action AccountAction
	// Message is the provider's message, such as "Account freeze
	// successful".
	Message string
	// Data is the answer's data object as sent, when it had one; an XML
	// answer's is rendered as JSON (see Account.Raw).
	Data json.RawMessage
}

// FreezeAccount freezes the account: it can no longer transact until it is
// unfrozen. accountID is sent as the body's accountId; the documentation
// does not say which identifier that is, and its sibling GET takes the
// account UUID, so that is the one to give. The call is retried like any
// idempotent one: freezing twice leaves the account frozen.
//
// Docs: https://sabi-docs.netlify.app ("Freeze or Unfreeze Account" in the
// wallet API's account management section; its own address was not recorded)
func (c *Client) FreezeAccount(ctx context.Context, accountID string) (*FreezeResult, error) {
	return c.freezeUnfreeze(ctx, "FreezeAccount", accountID, Freeze)
}

// UnfreezeAccount lifts a freeze, so the account can transact again.
//
// Docs: https://sabi-docs.netlify.app ("Freeze or Unfreeze Account" in the
// wallet API's account management section; its own address was not recorded)
func (c *Client) UnfreezeAccount(ctx context.Context, accountID string) (*FreezeResult, error) {
	return c.freezeUnfreeze(ctx, "UnfreezeAccount", accountID, Unfreeze)
}

func (c *Client) freezeUnfreeze(ctx context.Context, name, accountID string, action AccountAction) (*FreezeResult, error) {
	if problem := checkID(accountID); problem != "" {
		return nil, restrict.NewFieldError(Provider, name, "accountId", problem)
	}
	var env envelope
	meta, err := c.tc.Do(ctx, &transport.Operation{
		Name:       name,
		Method:     http.MethodPost,
		Path:       "/accounts/freeze-unfreeze",
		Query:      freezeQuery(action),
		Body:       freezeRequest{AccountID: accountID},
		Idempotent: true,
	}, &env)
	if err != nil {
		return nil, err
	}
	return &FreezeResult{Meta: meta, AccountID: accountID, Action: action, Message: env.Message, Data: env.Data}, nil
}

// checkID is the local check of an account identifier. Its format is not
// documented, so only what can never be one is refused.
func checkID(id string) string { return transport.CheckID(id) }

// Account is one wallet account.
//
// The documentation gives no fields for an account, so the named fields
// below are the ones its other pages imply (the path's accountUuid, the
// Mongo _id the platform's tokens show, the virtual bank account number
// the overview describes, a status), each filled only when the answer
// carries it as a string or number. Raw always holds the whole object.
type Account struct {
	restrict.Meta
	// ID is the platform's internal identifier (_id or id).
	ID string
	// UUID is the account's UUID (uuid or accountUuid), the identifier
	// GetAccount takes.
	UUID string
	// AccountNumber is the account's (virtual bank) account number.
	AccountNumber string
	// Status is the account's status as the provider words it.
	Status string
	// Raw is the answer's data object as sent. When the provider answered
	// XML it is that XML rendered as JSON: each element a key, repeated
	// elements an array, text a string.
	Raw json.RawMessage
}

// accountFields are the names each Account field is read from, in order.
var accountFields = []struct {
	keys []string
	set  func(a *Account, v string)
}{
	{[]string{"_id", "id"}, func(a *Account, v string) { a.ID = v }},
	{[]string{"uuid", "accountUuid"}, func(a *Account, v string) { a.UUID = v }},
	{[]string{"accountNumber", "accountNo", "nuban"}, func(a *Account, v string) { a.AccountNumber = v }},
	{[]string{"status", "accountStatus"}, func(a *Account, v string) { a.Status = v }},
}

// GetAccount returns one account.
//
// Docs: https://sabi-docs.netlify.app/api/wallet/account%20management/get_single_account
func (c *Client) GetAccount(ctx context.Context, accountUUID string) (*Account, error) {
	if problem := checkID(accountUUID); problem != "" {
		return nil, restrict.NewFieldError(Provider, "GetAccount", "accountUuid", problem)
	}
	var env envelope
	meta, err := c.tc.Do(ctx, &transport.Operation{
		Name:       "GetAccount",
		Method:     http.MethodGet,
		Path:       "/accounts/{accountUuid}",
		PathParams: map[string]string{"accountUuid": accountUUID},
		Idempotent: true,
	}, &env)
	if err != nil {
		return nil, err
	}
	a := &Account{Meta: meta, Raw: env.Data}
	var obj map[string]json.RawMessage
	if json.Unmarshal(env.Data, &obj) == nil {
		for _, f := range accountFields {
			for _, k := range f.keys {
				if v, ok := scalar(obj[k]); ok {
					f.set(a, v)
					break
				}
			}
		}
	}
	return a, nil
}

// scalar reads a JSON string, or a number as its literal text.
func scalar(raw json.RawMessage) (string, bool) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, true
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String(), true
	}
	return "", false
}
