package purse

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/transport"
)

// Purse is one of a customer's per-currency balances. Calypso does not
// publish this schema; the field names follow the customer and transaction
// objects and are inferred [I].
type Purse struct {
	ID         string `json:"id"`
	CustomerID string `json:"customerId"`
	Currency   string `json:"currency"`
	// Balance is kept as the decimal Calypso sent, so no precision is
	// lost; it may come as a JSON number or a string holding one.
	Balance json.Number `json:"balance"`
}

// Purses is a customer's purses, as purse/get-all answers.
type Purses struct {
	Purses []Purse
	restrict.Meta
}

// UnmarshalJSON accepts the purses as a bare array or, as transaction/find
// answers, as the "result" of a page object: which one purse/get-all sends
// is not documented.
func (p *Purses) UnmarshalJSON(b []byte) error {
	if t := bytes.TrimSpace(b); len(t) > 0 && t[0] == '[' {
		return json.Unmarshal(t, &p.Purses)
	}
	var page struct {
		Result []Purse `json:"result"`
	}
	if err := json.Unmarshal(b, &page); err != nil {
		return err
	}
	p.Purses = page.Result
	return nil
}

// complete reports whether the answer held a list of purses, empty or not.
func (p *Purses) complete() bool { return p.Purses != nil }

// GetPursesRequest names the customer whose purses are wanted.
type GetPursesRequest struct {
	CustomerID string `json:"customerId"` // [I] as for customer/block
}

// Address is the deposit address of a purse. Its schema is not published;
// the names are inferred [I].
type Address struct {
	Address    string `json:"address"`
	Currency   string `json:"currency"`
	PurseID    string `json:"purseId"`
	CustomerID string `json:"customerId"`
	restrict.Meta
}

// complete reports whether the answer held an address.
func (a *Address) complete() bool { return a.Address != "" }

// GetAddressRequest names the purse whose deposit address is wanted.
type GetAddressRequest struct {
	PurseID string `json:"purseId"` // [I] after the webhooks' purseId
}

// GetPurses returns all purses of a customer (purse/get-all).
// req.CustomerID is Calypso's customer ID, a UUID.
// https://docs.calypso.finance/api-reference/customer-purse-api
func (c *Client) GetPurses(ctx context.Context, req GetPursesRequest) (*Purses, error) {
	if err := checkField("GetPurses", "customerId", req.CustomerID, transport.CheckUUID); err != nil {
		return nil, err
	}
	return transport.Call[Purses](ctx, c.tc, &transport.Operation{Name: "GetPurses", Method: http.MethodPost,
		Path: basePath + "/purse/get-all", Body: req, Idempotent: true})
}

// GetAddress returns the deposit address of a customer's purse
// (address/get). req.PurseID is Calypso's purse ID, whose form is not
// documented.
// https://docs.calypso.finance/api-reference/customer-purse-api
func (c *Client) GetAddress(ctx context.Context, req GetAddressRequest) (*Address, error) {
	if err := checkField("GetAddress", "purseId", req.PurseID, transport.CheckID); err != nil {
		return nil, err
	}
	return transport.Call[Address](ctx, c.tc, &transport.Operation{Name: "GetAddress", Method: http.MethodPost,
		Path: basePath + "/address/get", Body: req, Idempotent: true})
}
