package customerv2

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/transport"
)

// The customer endpoints; all are POST with a JSON body.
const (
	pathSuspend = "/v2/customer/suspend"
	pathFind    = "/v2/customer/find"
	pathDetails = "/v2/customer/details"
	pathCreate  = "/v2/customer/create"
	pathUpdate  = "/v2/customer/update"
)

// Status is a customer's or wallet's status as KunaCore names it.
type Status string

// The statuses KunaCore's docs name in prose: a wallet can be set Active,
// Blocked or Suspicious through update, and a suspended customer is shown
// as Suspended. Their exact spelling on the wire is inferred from that prose.
const (
	StatusActive     Status = "Active"
	StatusBlocked    Status = "Blocked"
	StatusSuspicious Status = "Suspicious"
	StatusSuspended  Status = "Suspended"
)

// Customer is a KunaCore customer. ID, Comment, CreatedAt, Email, FirstName
// and LastName are confirmed by the details example; the other fields are
// inferred from the create and find fields of the same API, and WalletID
// and Status from the prose (every customer has a wallet; a suspended one
// is shown as Suspended).
type Customer struct {
	ID                     string    `json:"id"`
	Email                  string    `json:"email"`
	FirstName              string    `json:"firstName"`
	LastName               string    `json:"lastName"`
	Country                string    `json:"country"`
	PhoneNumber            string    `json:"phoneNumber"`
	Comment                string    `json:"comment"`
	ExternalID             string    `json:"externalId"`
	ReferralID             string    `json:"referralId"`
	VerificationDocumentID string    `json:"verificationDocumentId"`
	ResidenceAddress       string    `json:"residenceAddress"`
	ITN                    string    `json:"itn"`
	WalletID               string    `json:"walletId"`
	Status                 Status    `json:"status"`
	CreatedAt              time.Time `json:"createdAt"`
}

// Suspended reports whether KunaCore shows the customer as suspended.
func (c *Customer) Suspended() bool {
	return strings.EqualFold(string(c.Status), string(StatusSuspended))
}

// CustomerResult is one customer as KunaCore answered it, with the answer's
// metadata.
type CustomerResult struct {
	Customer
	restrict.Meta
}

// SuspendResult is KunaCore's answer to a suspension.
type SuspendResult struct {
	// Success is KunaCore's "success"; an answer of false is returned as
	// an error instead, so a result without error has it true unless
	// KunaCore left it out.
	Success bool `json:"success"`
	restrict.Meta
}

type idRequest struct {
	ID string `json:"id"`
}

// checkID refuses a customer ID that KunaCore could not have issued: its
// docs give customer IDs as UUIDs ("6d962783-f0cf-420d-a511-3a48c71c5595").
func checkID(op, id string) error {
	if p := transport.CheckUUID(id); p != "" {
		return restrict.NewFieldError(Provider, op, "id", p)
	}
	return nil
}

// Suspend marks the customer, and its wallet, Suspended: no financial or
// non-financial action is possible for it afterwards. KunaCore documents no
// way back. Suspending twice is harmless, so the call is retried like any
// idempotent one.
//
// https://docs.kunacore.io/docs/suspend-customer
func (c *Client) Suspend(ctx context.Context, customerID string) (*SuspendResult, error) {
	if err := checkID("Suspend", customerID); err != nil {
		return nil, err
	}
	var out SuspendResult
	meta, err := c.do(ctx, "Suspend", pathSuspend, idRequest{ID: customerID}, true, &out)
	if err != nil {
		return nil, err
	}
	out.Meta = meta
	return &out, nil
}

// CustomerDetails returns everything KunaCore holds about one customer, by
// its KunaCore ID.
//
// https://docs.kunacore.io/docs/details-of-customer
func (c *Client) CustomerDetails(ctx context.Context, customerID string) (*CustomerResult, error) {
	if err := checkID("CustomerDetails", customerID); err != nil {
		return nil, err
	}
	var out CustomerResult
	meta, err := c.do(ctx, "CustomerDetails", pathDetails, idRequest{ID: customerID}, true, &out.Customer)
	if err != nil {
		return nil, err
	}
	out.Meta = meta
	return &out, nil
}

// FindCustomersRequest searches customers by any combination of fields.
// Empty fields are not sent.
type FindCustomersRequest struct {
	Email       string
	WalletID    string
	PhoneNumber string
	// FullName is "{firstName} {lastName}".
	FullName   string
	Comment    string
	ExternalID string
	ReferralID string
	// CreatedFrom and CreatedTo bound the customers' createdAt; each is
	// sent as an ISO-8601 (RFC 3339) UTC string only when it is not zero.
	CreatedFrom time.Time
	CreatedTo   time.Time
	// Take is how many customers to return. Zero sends nothing and leaves
	// KunaCore's default, since asking for zero records is never meant.
	Take int
	// Skip is how many matching customers to pass over. Zero is the same
	// as not skipping, so it is not sent.
	Skip int
}

type findBody struct {
	Email       string `json:"email,omitempty"`
	WalletID    string `json:"walletId,omitempty"`
	PhoneNumber string `json:"phoneNumber,omitempty"`
	FullName    string `json:"fullName,omitempty"`
	Comment     string `json:"comment,omitempty"`
	ExternalID  string `json:"externalId,omitempty"`
	ReferralID  string `json:"referralId,omitempty"`
	CreatedFrom string `json:"createdFrom,omitempty"`
	CreatedTo   string `json:"createdTo,omitempty"`
	Take        int    `json:"take,omitempty"`
	Skip        int    `json:"skip,omitempty"`
}

func isoTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// FindCustomersResult is one page of customers.
type FindCustomersResult struct {
	Customers []Customer
	// Total is the number of matching customers when KunaCore says it,
	// nil otherwise.
	Total *int
	restrict.Meta
}

// UnmarshalJSON reads the page. KunaCore documents the find request but
// not its answer, so this accepts the shapes a NestJS service gives: a
// list of customers; TypeORM's [customers, total]; or an object holding
// the list under items, customers, data, rows or list, with total or
// count beside it; or, with an "id", one customer.
func (r *FindCustomersResult) UnmarshalJSON(b []byte) error {
	var list []json.RawMessage
	if err := json.Unmarshal(b, &list); err == nil {
		if len(list) == 2 && isList(list[0]) {
			var total int
			if json.Unmarshal(list[1], &total) == nil {
				r.Total = &total
				return json.Unmarshal(list[0], &r.Customers)
			}
		}
		return json.Unmarshal(b, &r.Customers)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(b, &obj); err != nil {
		return err
	}
	found := false
	for _, k := range []string{"items", "customers", "data", "rows", "list"} {
		if v, ok := obj[k]; ok && !isNull(v) {
			if err := json.Unmarshal(v, &r.Customers); err != nil {
				return err
			}
			found = true
			break
		}
	}
	for _, k := range []string{"total", "count"} {
		if v, ok := obj[k]; ok && !isNull(v) {
			var total int
			if err := json.Unmarshal(v, &total); err != nil {
				return err
			}
			r.Total = &total
			break
		}
	}
	if found || r.Total != nil {
		return nil
	}
	if _, ok := obj["id"]; ok {
		// A search by a unique field may answer with the customer itself.
		var one Customer
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		r.Customers = []Customer{one}
		return nil
	}
	// Reading an unknown shape as "no customers" could hide one that
	// exists: report the answer unreadable instead.
	return errors.New("find answer holds no list of customers")
}

// FindCustomers searches customers by any combination of fields, a page at
// a time with Take and Skip. Suspended customers are included and shown as
// Suspended (the suspend page's older text said they were hidden).
//
// https://docs.kunacore.io/docs/search-of-customers
func (c *Client) FindCustomers(ctx context.Context, req FindCustomersRequest) (*FindCustomersResult, error) {
	const op = "FindCustomers"
	switch {
	case req.Take < 0:
		return nil, restrict.NewFieldError(Provider, op, "take", "must not be negative")
	case req.Skip < 0:
		return nil, restrict.NewFieldError(Provider, op, "skip", "must not be negative")
	case !req.CreatedFrom.IsZero() && !req.CreatedTo.IsZero() && req.CreatedFrom.After(req.CreatedTo):
		return nil, restrict.NewFieldError(Provider, op, "createdFrom", "must not be after createdTo")
	}
	body := findBody{
		Email:       req.Email,
		WalletID:    req.WalletID,
		PhoneNumber: req.PhoneNumber,
		FullName:    req.FullName,
		Comment:     req.Comment,
		ExternalID:  req.ExternalID,
		ReferralID:  req.ReferralID,
		CreatedFrom: isoTime(req.CreatedFrom),
		CreatedTo:   isoTime(req.CreatedTo),
		Take:        req.Take,
		Skip:        req.Skip,
	}
	var out FindCustomersResult
	meta, err := c.do(ctx, op, pathFind, body, true, &out)
	if err != nil {
		return nil, err
	}
	out.Meta = meta
	return &out, nil
}

// CreateCustomerRequest is a new customer. Email, FirstName, LastName,
// Country, VerificationDocumentID and ResidenceAddress are required; the
// email must be unique at KunaCore, where it acts as the primary key.
type CreateCustomerRequest struct {
	Email     string `json:"email"`
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
	// Country is an ISO 3166-1 alpha-2 code in upper case: UA, IT, ES.
	Country string `json:"country"`
	// VerificationDocumentID identifies the document the customer was
	// verified with (passport, driving licence).
	VerificationDocumentID string `json:"verificationDocumentId"`
	ResidenceAddress       string `json:"residenceAddress"`
	PhoneNumber            string `json:"phoneNumber,omitempty"`
	Comment                string `json:"comment,omitempty"`
	// ExternalID identifies the customer in your own system.
	ExternalID string `json:"externalId,omitempty"`
	// ReferralID is another customer's ID, for a referral programme.
	ReferralID string `json:"referralId,omitempty"`
	// ITN is the customer's individual taxpayer number.
	ITN string `json:"itn,omitempty"`
}

// CreateCustomer creates a customer and its wallet; every money operation
// then uses the wallet's ID. It is not idempotent: it is retried only when
// the request provably never reached KunaCore, and a duplicate email is
// refused with ErrConflict.
//
// https://docs.kunacore.io/docs/add-customer
func (c *Client) CreateCustomer(ctx context.Context, req CreateCustomerRequest) (*CustomerResult, error) {
	const op = "CreateCustomer"
	for _, f := range []struct{ name, value string }{
		{"email", req.Email},
		{"firstName", req.FirstName},
		{"lastName", req.LastName},
		{"country", req.Country},
		{"verificationDocumentId", req.VerificationDocumentID},
		{"residenceAddress", req.ResidenceAddress},
	} {
		if strings.TrimSpace(f.value) == "" {
			return nil, restrict.NewFieldError(Provider, op, f.name, "is required")
		}
	}
	if p := countryProblem(req.Country); p != "" {
		return nil, restrict.NewFieldError(Provider, op, "country", p)
	}
	var out CustomerResult
	meta, err := c.do(ctx, op, pathCreate, req, false, &out.Customer)
	if err != nil {
		return nil, err
	}
	out.Meta = meta
	return &out, nil
}

// UpdateCustomerRequest changes a customer: ID names it, and only the
// fields that are not nil are sent, so a field can also be set to "".
// KunaCore's update data dictionary lists no referralId, so it cannot be
// changed here.
//
// KunaCore says update can also set the wallet's status (Active, Blocked,
// Suspicious), but its data dictionary does not name the body field for it;
// rather than guess a name that KunaCore might reject or ignore, this
// request has no status field.
type UpdateCustomerRequest struct {
	ID                     string  `json:"id"`
	Email                  *string `json:"email,omitempty"`
	PhoneNumber            *string `json:"phoneNumber,omitempty"`
	FirstName              *string `json:"firstName,omitempty"`
	LastName               *string `json:"lastName,omitempty"`
	Comment                *string `json:"comment,omitempty"`
	ExternalID             *string `json:"externalId,omitempty"`
	Country                *string `json:"country,omitempty"`
	VerificationDocumentID *string `json:"verificationDocumentId,omitempty"`
	ResidenceAddress       *string `json:"residenceAddress,omitempty"`
	ITN                    *string `json:"itn,omitempty"`
}

// String returns a pointer to s, for the optional fields of
// UpdateCustomerRequest.
func String(s string) *string { return &s }

// UpdateCustomer changes the given fields of a customer; its ID and wallet
// ID cannot change. It is not idempotent (an email change can collide with
// another customer's), so it is retried only when the request provably
// never reached KunaCore.
//
// https://docs.kunacore.io/docs/update-customer
func (c *Client) UpdateCustomer(ctx context.Context, req UpdateCustomerRequest) (*CustomerResult, error) {
	const op = "UpdateCustomer"
	if err := checkID(op, req.ID); err != nil {
		return nil, err
	}
	// The fields required at creation cannot be emptied.
	for _, f := range []struct {
		name  string
		value *string
	}{
		{"email", req.Email},
		{"firstName", req.FirstName},
		{"lastName", req.LastName},
		{"verificationDocumentId", req.VerificationDocumentID},
		{"residenceAddress", req.ResidenceAddress},
	} {
		if f.value != nil && strings.TrimSpace(*f.value) == "" {
			return nil, restrict.NewFieldError(Provider, op, f.name, "must not be empty")
		}
	}
	if req.Country != nil {
		if p := countryProblem(*req.Country); p != "" {
			return nil, restrict.NewFieldError(Provider, op, "country", p)
		}
	}
	var out CustomerResult
	meta, err := c.do(ctx, op, pathUpdate, req, false, &out.Customer)
	if err != nil {
		return nil, err
	}
	out.Meta = meta
	return &out, nil
}
