package walletplatform

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/transport"
)

// freezeUnfreezePath is the one endpoint that freezes and unfreezes; its
// action query parameter says which.
const freezeUnfreezePath = "/accounts/freeze-unfreeze"

// The action queries of freeze-unfreeze. The documentation's curl examples
// are labelled the wrong way round (its "Freeze Account" example sends
// action=UNFREEZE); the parameter's own description says action=FREEZE
// freezes, and that is what FreezeAccount sends. They are only read, so
// every call shares them.
var (
	freezeQuery   = url.Values{"action": {"FREEZE"}}
	unfreezeQuery = url.Values{"action": {"UNFREEZE"}}
)

// FreezeAccountRequest is the body of a freeze.
type FreezeAccountRequest struct {
	// AccountID is the account to freeze (accountId). Its form is not
	// documented; the sibling GET takes the account UUID, so that is the
	// one to give.
	AccountID string `json:"accountId"`
}

// FreezeAccountResult is the platform's answer to a freeze.
type FreezeAccountResult struct {
	restrict.Meta
	// Message is the platform's message, such as "Account freeze
	// successful".
	Message string `json:"message"`
	// Data is the answer's data as sent, nil when it had none; an XML
	// answer's is rendered as JSON (see Account.Raw).
	Data json.RawMessage `json:"data"`
}

func (r *FreezeAccountResult) fromEnvelope(e *envelope) {
	r.Message, r.Data = string(e.Message), json.RawMessage(e.Data)
}

// UnfreezeAccountRequest is the body of an unfreeze.
type UnfreezeAccountRequest struct {
	// AccountID is the account to unfreeze (accountId), as for
	// FreezeAccountRequest.
	AccountID string `json:"accountId"`
}

// UnfreezeAccountResult is the platform's answer to an unfreeze.
type UnfreezeAccountResult struct {
	restrict.Meta
	// Message is the platform's message, such as "Account unfreeze
	// successful".
	Message string `json:"message"`
	// Data is the answer's data as sent, nil when it had none.
	Data json.RawMessage `json:"data"`
}

func (r *UnfreezeAccountResult) fromEnvelope(e *envelope) {
	r.Message, r.Data = string(e.Message), json.RawMessage(e.Data)
}

// FreezeAccount freezes an account (POST /accounts/freeze-unfreeze with
// action=FREEZE): it can no longer transact until it is unfrozen.
// req.AccountID must not be blank, longer than 256 bytes or hold control
// characters. The call is retried like any idempotent one: freezing twice
// leaves the account frozen. What the platform answers to a freeze of a
// frozen account is not documented; Restrict takes either a success or an
// "already frozen" refusal as success, this method returns what it said.
//
// Docs: https://sabi-docs.netlify.app ("Freeze or Unfreeze Account" in the
// wallet API's account management section; its own address was not recorded)
func (c *Client) FreezeAccount(ctx context.Context, req FreezeAccountRequest) (*FreezeAccountResult, error) {
	if problem := transport.CheckID(req.AccountID); problem != "" {
		return nil, restrict.NewFieldError(Provider, "FreezeAccount", "accountId", problem)
	}
	return transport.Call[FreezeAccountResult](ctx, c.tc, &transport.Operation{
		Name:       "FreezeAccount",
		Method:     http.MethodPost,
		Path:       freezeUnfreezePath,
		Query:      freezeQuery,
		Body:       req,
		Idempotent: true,
	})
}

// UnfreezeAccount lifts a freeze (POST /accounts/freeze-unfreeze with
// action=UNFREEZE), so the account can transact again. req.AccountID
// follows FreezeAccount's rule, and the call is retried the same way.
//
// Docs: https://sabi-docs.netlify.app ("Freeze or Unfreeze Account" in the
// wallet API's account management section; its own address was not recorded)
func (c *Client) UnfreezeAccount(ctx context.Context, req UnfreezeAccountRequest) (*UnfreezeAccountResult, error) {
	if problem := transport.CheckID(req.AccountID); problem != "" {
		return nil, restrict.NewFieldError(Provider, "UnfreezeAccount", "accountId", problem)
	}
	return transport.Call[UnfreezeAccountResult](ctx, c.tc, &transport.Operation{
		Name:       "UnfreezeAccount",
		Method:     http.MethodPost,
		Path:       freezeUnfreezePath,
		Query:      unfreezeQuery,
		Body:       req,
		Idempotent: true,
	})
}

// Account is one wallet account.
//
// The documentation gives no fields for an account, so the named fields
// below are the ones its other pages imply (the path's accountUuid, the
// Mongo _id the platform's tokens show, the virtual bank account number
// the overview describes, a status), each filled only when the answer
// carries it as a string or a number. Raw always holds the whole object.
type Account struct {
	restrict.Meta
	// ID is the platform's internal identifier (_id or id).
	ID string
	// UUID is the account's UUID (uuid or accountUuid), the identifier
	// GetAccount takes.
	UUID string
	// AccountNumber is the account's (virtual bank) account number
	// (accountNumber, accountNo or nuban).
	AccountNumber string
	// Status is the account's status as the platform words it (status or
	// accountStatus). Its values are not documented; Status reads one
	// holding "frozen" or "freeze" as restricted and "active" as active.
	Status string
	// Raw is the answer's data object as sent. When the platform answered
	// XML it is that XML rendered as JSON: each element a key, repeated
	// elements an array, text a string.
	Raw json.RawMessage
}

// UnmarshalJSON reads an account from the answer's data, taking each field
// from the first of its names that the answer carries.
func (a *Account) UnmarshalJSON(b []byte) error {
	var w struct {
		MongoID       scalar `json:"_id"`
		ID            scalar `json:"id"`
		UUID          scalar `json:"uuid"`
		AccountUUID   scalar `json:"accountUuid"`
		AccountNumber scalar `json:"accountNumber"`
		AccountNo     scalar `json:"accountNo"`
		NUBAN         scalar `json:"nuban"`
		Status        scalar `json:"status"`
		AccountStatus scalar `json:"accountStatus"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	a.ID = first(w.MongoID, w.ID)
	a.UUID = first(w.UUID, w.AccountUUID)
	a.AccountNumber = first(w.AccountNumber, w.AccountNo, w.NUBAN)
	a.Status = first(w.Status, w.AccountStatus)
	a.Raw = append(json.RawMessage(nil), b...)
	return nil
}

// first returns the first value that is not empty.
func first(vs ...scalar) string {
	for _, v := range vs {
		if v != "" {
			return string(v)
		}
	}
	return ""
}

// GetAccount returns one account (GET /accounts/{accountUuid}).
// accountUUID goes in the path, so on top of FreezeAccount's rule it must
// be one path segment: no "/", "\" or "..".
//
// Docs: https://sabi-docs.netlify.app/api/wallet/account%20management/get_single_account
func (c *Client) GetAccount(ctx context.Context, accountUUID string) (*Account, error) {
	if problem := transport.CheckPathSegment(accountUUID); problem != "" {
		return nil, restrict.NewFieldError(Provider, "GetAccount", "accountUuid", problem)
	}
	return transport.Call[Account](ctx, c.tc, &transport.Operation{
		Name:       "GetAccount",
		Method:     http.MethodGet,
		Path:       "/accounts/{accountUuid}",
		PathParams: map[string]string{"accountUuid": accountUUID},
		Idempotent: true,
	})
}
