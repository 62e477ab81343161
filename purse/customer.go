package purse

import (
	"context"
	"net/http"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/transport"
)

// The OpenAPI pages give only the envelope of each request (account,
// timestamp, payload). The payload field names below come from the how-to
// guides and the transaction schemas where they are confirmed [C], and
// follow their pattern (camelCase, "<thing>Id") where they are inferred
// [I]; each json tag says which.

// Customer is a merchant's customer in Calypso, the owner of purses. Every
// field is documented [C]: create, update, get, block and unblock all
// answer with this object.
type Customer struct {
	// ID is Calypso's ID of the customer, a UUID.
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

// complete reports whether the customer has its id, which the documented
// object always carries.
func (c *Customer) complete() bool { return c.ID != "" }

// CreateCustomerRequest describes a new customer. Which of its fields
// Calypso requires is not documented, so none is checked here.
type CreateCustomerRequest struct {
	Email       string `json:"email,omitempty"`       // [C]
	Description string `json:"description,omitempty"` // [C]
	ExternalID  string `json:"externalId,omitempty"`  // [C]
}

// UpdateCustomerRequest changes a customer. Nil fields are not sent and
// stay as they are; restrict.Ptr("") sends an empty value.
type UpdateCustomerRequest struct {
	ID          string  `json:"id"`                    // [C] required: the customer's ID, a UUID
	Email       *string `json:"email,omitempty"`       // [C]
	Description *string `json:"description,omitempty"` // [C]
}

// GetCustomerRequest names the customer to read.
type GetCustomerRequest struct {
	CustomerID string `json:"customerId"` // [I] after block and transaction/find
}

// GetCustomerByExternalIDRequest names a customer by the merchant's own ID.
type GetCustomerByExternalIDRequest struct {
	ExternalID string `json:"externalId"` // [I] after externalId on create
}

// BlockCustomerRequest names the customer to block.
type BlockCustomerRequest struct {
	// CustomerID is Calypso's ID of the customer, a UUID. The how-to guide
	// says to pass "account" and "customerId" [C]; that customerId sits
	// inside payload, as it does for transaction/find, is inferred [I].
	CustomerID string `json:"customerId"`
}

// UnblockCustomerRequest names the customer to unblock.
type UnblockCustomerRequest struct {
	CustomerID string `json:"customerId"` // [I] as for block
}

// CreateCustomer creates a customer (customer/create). It is not retried
// once the request may have reached Calypso, since a second create would
// make a second customer: after a timeout, look the customer up with
// GetCustomerByExternalID before creating it again.
// https://docs.calypso.finance/api-reference/customer-purse-api
func (c *Client) CreateCustomer(ctx context.Context, req CreateCustomerRequest) (*Customer, error) {
	return transport.Call[Customer](ctx, c.tc, &transport.Operation{Name: "CreateCustomer", Method: http.MethodPost,
		Path: basePath + "/customer/create", Body: req})
}

// UpdateCustomer changes a customer's email or description
// (customer/update). req.ID is Calypso's customer ID, a UUID.
// https://docs.calypso.finance/api-reference/customer-purse-api
func (c *Client) UpdateCustomer(ctx context.Context, req UpdateCustomerRequest) (*Customer, error) {
	if err := checkField("UpdateCustomer", "id", req.ID, transport.CheckUUID); err != nil {
		return nil, err
	}
	return transport.Call[Customer](ctx, c.tc, &transport.Operation{Name: "UpdateCustomer", Method: http.MethodPost,
		Path: basePath + "/customer/update", Body: req})
}

// GetCustomer returns a customer, its blocked flag included
// (customer/get). req.CustomerID is Calypso's customer ID, a UUID.
// https://docs.calypso.finance/api-reference/customer-purse-api
func (c *Client) GetCustomer(ctx context.Context, req GetCustomerRequest) (*Customer, error) {
	if err := checkField("GetCustomer", "customerId", req.CustomerID, transport.CheckUUID); err != nil {
		return nil, err
	}
	return transport.Call[Customer](ctx, c.tc, &transport.Operation{Name: "GetCustomer", Method: http.MethodPost,
		Path: basePath + "/customer/get", Body: req, Idempotent: true})
}

// GetCustomerByExternalID returns a customer by the merchant's own ID
// (customer/external/get), which may be any text Calypso accepted on
// create.
// https://docs.calypso.finance/api-reference/customer-purse-api
func (c *Client) GetCustomerByExternalID(ctx context.Context, req GetCustomerByExternalIDRequest) (*Customer, error) {
	if err := checkField("GetCustomerByExternalID", "externalId", req.ExternalID, transport.CheckID); err != nil {
		return nil, err
	}
	return transport.Call[Customer](ctx, c.tc, &transport.Operation{Name: "GetCustomerByExternalID", Method: http.MethodPost,
		Path: basePath + "/customer/external/get", Body: req, Idempotent: true})
}

// BlockCustomer blocks a customer (customer/block) and returns it, blocked.
// req.CustomerID is Calypso's customer ID, a UUID. Deposits to the
// customer's addresses are not refused: Calypso credits them to the
// merchant and sends the webhook CUSTOMER_PURSE_FUNDS_RECEIVED_FOR_PURSE
// with the customer's blocked flag set. Blocking a blocked customer is
// taken to be harmless (the docs are silent), so the call is retried.
// https://docs.calypso.finance/api-reference/customer-purse-api
func (c *Client) BlockCustomer(ctx context.Context, req BlockCustomerRequest) (*Customer, error) {
	if err := checkField("BlockCustomer", "customerId", req.CustomerID, transport.CheckUUID); err != nil {
		return nil, err
	}
	return transport.Call[Customer](ctx, c.tc, &transport.Operation{Name: "BlockCustomer", Method: http.MethodPost,
		Path: basePath + "/customer/block", Body: req, Idempotent: true})
}

// UnblockCustomer restores a blocked customer to normal use
// (customer/unblock) and returns it. req.CustomerID is Calypso's customer
// ID, a UUID. Like BlockCustomer it is retried.
// https://docs.calypso.finance/api-reference/customer-purse-api
func (c *Client) UnblockCustomer(ctx context.Context, req UnblockCustomerRequest) (*Customer, error) {
	if err := checkField("UnblockCustomer", "customerId", req.CustomerID, transport.CheckUUID); err != nil {
		return nil, err
	}
	return transport.Call[Customer](ctx, c.tc, &transport.Operation{Name: "UnblockCustomer", Method: http.MethodPost,
		Path: basePath + "/customer/unblock", Body: req, Idempotent: true})
}
