package kpayment

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/transport"
)

// BlockCustomerRequest is the body of a block-customer call. Every field is
// optional in myKaarma's schema: strings that are empty are left out, and
// booleans are sent exactly when they are set (make them with
// restrict.Ptr), so that an explicit false reaches myKaarma and a nil
// leaves the choice to it. myKaarma documents the fields by name and type
// only; the field comments below read the names.
type BlockCustomerRequest struct {
	// InvoiceGUID is the invoice the block relates to.
	InvoiceGUID string `json:"invoiceGUID,omitempty"`
	// CCLastFour is the last four digits of the card to block; when given
	// it must be exactly four ASCII digits.
	CCLastFour string `json:"ccLastFour,omitempty"`
	// CCType is the card brand, in myKaarma's words.
	CCType string `json:"ccType,omitempty"`
	// CardHolder is the name on the card.
	CardHolder string `json:"cardHolder,omitempty"`
	// OnlinePayment blocks the customer from paying online.
	OnlinePayment *bool `json:"onlinePayment,omitempty"`
	// SendBlockNotification asks myKaarma to notify about the block.
	SendBlockNotification *bool `json:"sendBlockNotification,omitempty"`
	// ThreeDSAuthentication concerns 3-D Secure authentication of the
	// customer's card payments.
	ThreeDSAuthentication *bool `json:"threeDSAuthentication,omitempty"`
}

// check returns the wire name of a field that cannot be sent and what is
// wrong with it, or "" for the problem when every field is fine.
func (r BlockCustomerRequest) check() (field, problem string) {
	if r.CCLastFour != "" && !isLastFour(r.CCLastFour) {
		return "ccLastFour", "must be exactly four digits 0-9"
	}
	return "", ""
}

// clone copies the request so that the caller's booleans, which are
// pointers, cannot change it later.
func (r BlockCustomerRequest) clone() BlockCustomerRequest {
	cp := func(b *bool) *bool {
		if b == nil {
			return nil
		}
		return restrict.Ptr(*b)
	}
	r.OnlinePayment = cp(r.OnlinePayment)
	r.SendBlockNotification = cp(r.SendBlockNotification)
	r.ThreeDSAuthentication = cp(r.ThreeDSAuthentication)
	return r
}

func isLastFour(s string) bool {
	if len(s) != 4 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// BlockCustomerResult is myKaarma's answer to a successful block. The
// documented success body is an empty object; warnings, when myKaarma sends
// any with a success, are kept here rather than dropped.
type BlockCustomerResult struct {
	// Warnings are the provider's warnings on a successful call, such as
	// 150000 NO_PREFERRED_DEALER_ID, scrubbed of every credential.
	Warnings []Warning `json:"warnings,omitempty"`
	restrict.Meta
}

func (r *BlockCustomerResult) setWarnings(w []Warning) { r.Warnings = w }

// Warning is one warning in a myKaarma answer. The Payments API sends two
// shapes (a numeric code with title, message and description, or a string
// code with a description only); both decode into this type.
type Warning struct {
	// Code is the provider's warning code, a number written in decimal or
	// a name, as the provider sent it.
	Code        string `json:"warningCode,omitempty"`
	Title       string `json:"warningTitle,omitempty"`
	Message     string `json:"warningMessage,omitempty"`
	Description string `json:"warningDescription,omitempty"`
}

// UnmarshalJSON accepts warningCode as a JSON number or a string.
func (w *Warning) UnmarshalJSON(b []byte) error {
	var wire struct {
		Code        code   `json:"warningCode"`
		Title       string `json:"warningTitle"`
		Message     string `json:"warningMessage"`
		Description string `json:"warningDescription"`
	}
	if err := json.Unmarshal(b, &wire); err != nil {
		return err
	}
	*w = Warning{Code: string(wire.Code), Title: wire.Title, Message: wire.Message, Description: wire.Description}
	return nil
}

// BlockCustomer blocks a customer from online payment (ApiScope
// payment.customer.block, ServiceSubscriber level).
//
// customerUUID is myKaarma's customer UUID, sent in the path. myKaarma's
// page types it as a plain string and shows no example value, so this call
// only requires one safe path segment: it is path-escaped, and a value that
// is empty or holds "/", "\", "..", a lone "." or a control character is
// refused before anything is sent, so no input can reach another path. An
// identifier of another form than 8-4-4-4-12 can still be blocked here;
// Restrict applies the stricter CheckTargetID.
//
// Blocking a customer twice is harmless by our reading (the docs are
// silent), so the call is retried like any idempotent one.
//
// https://docs.mykaarma.com/API_references/payments/API/API_reference/block-customer
func (c *Client) BlockCustomer(ctx context.Context, customerUUID string, req BlockCustomerRequest) (*BlockCustomerResult, error) {
	const op = "BlockCustomer"
	if problem := transport.CheckPathSegment(customerUUID); problem != "" {
		return nil, restrict.NewFieldError(Provider, op, "customerUuid", problem)
	}
	if field, problem := req.check(); problem != "" {
		return nil, restrict.NewFieldError(Provider, op, field, problem)
	}
	return transport.Call[BlockCustomerResult](ctx, c.tc, &transport.Operation{
		Name:       op,
		Method:     http.MethodPost,
		Path:       "/kpayment/v1/customer/{customerUuid}/block",
		PathParams: map[string]string{"customerUuid": customerUUID},
		// The documented body is required: with no field set this sends
		// {} rather than nothing.
		Body:       req,
		Idempotent: true,
	})
}
