package kpayment

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/transport"
)

// BlockCustomerRequest is the body of a block-customer call. Every field is
// optional in myKaarma's schema: strings that are empty are left out, and
// booleans are sent exactly when they are set, so that an explicit false
// reaches myKaarma and a nil leaves the choice to it. myKaarma documents the
// fields by name and type only; the field comments below read the names.
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

// Bool returns a pointer to v, for the optional booleans of a request.
func Bool(v bool) *bool { return &v }

// validate checks what can be checked locally. field names are the JSON
// names, as myKaarma would report them.
func (r BlockCustomerRequest) validate(operation string) error {
	if r.CCLastFour != "" && !isLastFour(r.CCLastFour) {
		return restrict.NewFieldError(Provider, operation, "ccLastFour", "must be exactly four digits 0-9")
	}
	return nil
}

// clone copies the request so that the caller's booleans, which are
// pointers, cannot change it later.
func (r BlockCustomerRequest) clone() BlockCustomerRequest {
	cp := func(b *bool) *bool {
		if b == nil {
			return nil
		}
		return Bool(*b)
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

func (r *BlockCustomerResult) scrubWarnings(scrub func(string) string) {
	for i := range r.Warnings {
		w := &r.Warnings[i]
		w.Code, w.Title, w.Message, w.Description = scrub(w.Code), scrub(w.Title), scrub(w.Message), scrub(w.Description)
	}
}

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
	var raw struct {
		Code        code   `json:"warningCode"`
		Title       string `json:"warningTitle"`
		Message     string `json:"warningMessage"`
		Description string `json:"warningDescription"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*w = Warning{Code: string(raw.Code), Title: raw.Title, Message: raw.Message, Description: raw.Description}
	return nil
}

// code is a myKaarma error or warning code: a JSON number in one envelope,
// a string (a number or a name) in the other.
type code string

func (c *code) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*c = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*c = code(strings.TrimSpace(s))
	default:
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return errors.New("code is neither a number nor a string")
		}
		*c = code(n)
	}
	return nil
}

// BlockCustomer blocks a customer from online payment (ApiScope
// payment.customer.block, ServiceSubscriber level). customerUUID is
// myKaarma's customer UUID; it is path-escaped, and a value that is empty or
// holds "/", "\", "..", a lone "." or a control character is refused before
// anything is sent, so no input can reach another path. Blocking twice is
// harmless, so the call is retried like any idempotent one.
//
// https://docs.mykaarma.com/API_references/payments/API/API_reference/block-customer
func (c *Client) BlockCustomer(ctx context.Context, customerUUID string, req BlockCustomerRequest) (*BlockCustomerResult, error) {
	const op = "BlockCustomer"
	if problem := transport.CheckPathSegment(customerUUID); problem != "" {
		return nil, restrict.NewFieldError(Provider, op, "customerUuid", problem)
	}
	if err := req.validate(op); err != nil {
		return nil, err
	}
	var out BlockCustomerResult
	meta, err := c.tc.Do(ctx, &transport.Operation{
		Name:   op,
		Method: http.MethodPost,
		// customerUUID passed CheckPathSegment above, the check the
		// transport applies to PathParams, so it is escaped into the path
		// here: the same URL, without a map per call.
		Path: "/kpayment/v1/customer/" + url.PathEscape(customerUUID) + "/block",
		// The documented body is required: with no field set this sends
		// {} rather than nothing.
		Body:       req,
		Idempotent: true,
	}, &out)
	if err != nil {
		return nil, err
	}
	out.Meta = meta
	return &out, nil
}
