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
// objects and are inferred.
type Purse struct {
	ID         string `json:"id"`
	CustomerID string `json:"customerId"`
	Currency   string `json:"currency"`
	Balance    Amount `json:"balance"`
}

// Purses is a customer's purses.
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

// Address is the deposit address of a purse. Its schema is not published;
// the names are inferred.
type Address struct {
	Address    string `json:"address"`
	Currency   string `json:"currency"`
	PurseID    string `json:"purseId"`
	CustomerID string `json:"customerId"`
	restrict.Meta
}

// GetAddressRequest names the purse whose address is wanted.
type GetAddressRequest struct {
	PurseID string
}

// Amount is a sum of money, kept as the decimal text Calypso sent so no
// precision is lost. It decodes from a JSON string or a JSON number, since
// the schema does not say which is sent.
type Amount string

// UnmarshalJSON accepts "1.5" and 1.5 alike.
func (a *Amount) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*a = Amount(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*a = Amount(n)
	return nil
}

// GetPurses returns all purses of a customer (purse/get-all).
// https://docs.calypso.finance/api-reference/customer-purse-api
func (c *Client) GetPurses(ctx context.Context, customerID string) (*Purses, error) {
	if err := checkID("GetPurses", fieldCustomerID, customerID); err != nil {
		return nil, err
	}
	var out Purses
	meta, err := c.tc.Do(ctx, &transport.Operation{Name: "GetPurses", Method: http.MethodPost, Path: basePath + "/purse/get-all",
		Body: customerIDPayload{CustomerID: customerID}, Idempotent: true}, &out)
	if err != nil {
		return nil, err
	}
	out.Meta = meta
	return &out, nil
}

// GetAddress returns the deposit address of a customer's purse
// (address/get).
// https://docs.calypso.finance/api-reference/customer-purse-api
func (c *Client) GetAddress(ctx context.Context, req GetAddressRequest) (*Address, error) {
	if err := checkID("GetAddress", fieldPurseID, req.PurseID); err != nil {
		return nil, err
	}
	var out Address
	meta, err := c.tc.Do(ctx, &transport.Operation{Name: "GetAddress", Method: http.MethodPost, Path: basePath + "/address/get",
		Body: addressPayload(req), Idempotent: true}, &out)
	if err != nil {
		return nil, err
	}
	out.Meta = meta
	return &out, nil
}
