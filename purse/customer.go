package purse

import (
	"context"
	"net/http"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/transport"
)

const basePath = "/api/v1/customer-purse"

// Customer is a merchant's customer in Calypso, the owner of purses.
type Customer struct {
	ID          string `json:"id"`
	Email       string `json:"email"`
	Description string `json:"description"`
	// ExternalID is the merchant's own identifier for the customer.
	ExternalID string `json:"externalId"`
	// Blocked customers' addresses still receive deposits, but the funds
	// are credited to the merchant instead of the customer's purse.
	Blocked bool `json:"blocked"`
	restrict.Meta
}

// CreateCustomerRequest describes a new customer. Which of its fields
// Calypso requires is not documented, so none is checked here.
type CreateCustomerRequest struct {
	Email       string
	Description string
	ExternalID  string
}

// UpdateCustomerRequest changes a customer. Nil fields are not sent and
// stay as they are; a pointer to "" sends an empty value.
type UpdateCustomerRequest struct {
	ID          string
	Email       *string
	Description *string
}

// String returns a pointer to s, for optional request fields.
func String(s string) *string { return &s }

// Bool returns a pointer to b, for optional request fields.
func Bool(b bool) *bool { return &b }

// CreateCustomer creates a customer. It is not retried once the request
// may have reached Calypso, since a second create would make a second
// customer.
// https://docs.calypso.finance/api-reference/customer-purse-api
func (c *Client) CreateCustomer(ctx context.Context, req CreateCustomerRequest) (*Customer, error) {
	return c.customerCall(ctx, "CreateCustomer", "/customer/create", false,
		createCustomerPayload(req))
}

// UpdateCustomer changes a customer's email or description.
// https://docs.calypso.finance/api-reference/customer-purse-api
func (c *Client) UpdateCustomer(ctx context.Context, req UpdateCustomerRequest) (*Customer, error) {
	if err := checkID("UpdateCustomer", fieldID, req.ID); err != nil {
		return nil, err
	}
	return c.customerCall(ctx, "UpdateCustomer", "/customer/update", false,
		updateCustomerPayload(req))
}

// GetCustomer returns a customer by Calypso's ID.
// https://docs.calypso.finance/api-reference/customer-purse-api
func (c *Client) GetCustomer(ctx context.Context, customerID string) (*Customer, error) {
	if err := checkID("GetCustomer", fieldCustomerID, customerID); err != nil {
		return nil, err
	}
	return c.customerCall(ctx, "GetCustomer", "/customer/get", true, customerIDPayload{CustomerID: customerID})
}

// GetCustomerByExternalID returns a customer by the merchant's own ID.
// https://docs.calypso.finance/api-reference/customer-purse-api
func (c *Client) GetCustomerByExternalID(ctx context.Context, externalID string) (*Customer, error) {
	if err := checkID("GetCustomerByExternalID", fieldExternalID, externalID); err != nil {
		return nil, err
	}
	return c.customerCall(ctx, "GetCustomerByExternalID", "/customer/external/get", true, externalIDPayload{ExternalID: externalID})
}

// BlockCustomer blocks a customer. Deposits to the customer's addresses
// are not refused: Calypso credits them to the merchant and sends the
// webhook CUSTOMER_PURSE_FUNDS_RECEIVED_FOR_PURSE with "blocked": true.
// Blocking a blocked customer is harmless, so the call is retried.
// https://docs.calypso.finance/api-reference/customer-purse-api
func (c *Client) BlockCustomer(ctx context.Context, customerID string) (*Customer, error) {
	if err := checkID("BlockCustomer", fieldCustomerID, customerID); err != nil {
		return nil, err
	}
	return c.customerCall(ctx, "BlockCustomer", "/customer/block", true, customerIDPayload{CustomerID: customerID})
}

// UnblockCustomer restores a blocked customer to normal use.
// https://docs.calypso.finance/api-reference/customer-purse-api
func (c *Client) UnblockCustomer(ctx context.Context, customerID string) (*Customer, error) {
	if err := checkID("UnblockCustomer", fieldCustomerID, customerID); err != nil {
		return nil, err
	}
	return c.customerCall(ctx, "UnblockCustomer", "/customer/unblock", true, customerIDPayload{CustomerID: customerID})
}

func (c *Client) customerCall(ctx context.Context, name, path string, idempotent bool, payload any) (*Customer, error) {
	var out Customer
	meta, err := c.tc.Do(ctx, &transport.Operation{Name: name, Method: http.MethodPost, Path: basePath + path, Body: payload, Idempotent: idempotent}, &out)
	if err != nil {
		return nil, err
	}
	if out.ID == "" {
		// Whether Calypso wraps answers in an envelope is undocumented.
		// Should it, the customer would decode empty, and a block would
		// report "not blocked": refuse an answer without the customer's
		// id rather than misreport its state.
		return nil, &restrict.APIError{Provider: Provider, Operation: name, StatusCode: meta.StatusCode, Attempts: meta.Attempts,
			RequestID: meta.RequestID, Class: restrict.ErrUnavailable, Message: "unreadable answer: no customer id"}
	}
	out.Meta = meta
	return &out, nil
}

// checkID refuses an identifier Calypso could not have issued before
// anything is sent. Customer and transaction IDs are documented as UUIDs;
// purse and external IDs have no documented form.
func checkID(operation, field, value string) error {
	check := transport.CheckID
	switch field {
	case fieldID, fieldCustomerID, fieldTransactionID, "ID":
		check = transport.CheckUUID
	}
	if p := check(value); p != "" {
		return restrict.NewFieldError(Provider, operation, field, p)
	}
	return nil
}
