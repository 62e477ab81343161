package customerv2

import (
	"context"
	"encoding/json"
	"net/http"
	"sort"
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
// as Suspended [C]. Their exact spelling on the wire is inferred from that
// prose [I].
const (
	StatusActive     Status = "Active"
	StatusBlocked    Status = "Blocked"
	StatusSuspicious Status = "Suspicious"
	StatusSuspended  Status = "Suspended"
)

// Customer is a KunaCore customer. ID, Comment, CreatedAt, Email, FirstName
// and LastName are confirmed by the details example [C]; the other fields
// are inferred from the create and find fields of the same API, and
// WalletID and Status from the prose (every customer has a wallet; a
// suspended one is shown as Suspended) [I]. Meta is filled when the
// customer is a call's result, and zero inside FindCustomersResult.
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
	restrict.Meta
}

// Suspended reports whether KunaCore shows the customer as suspended.
func (c *Customer) Suspended() bool {
	return strings.EqualFold(string(c.Status), string(StatusSuspended))
}

// checkCustomerID refuses a customer ID that KunaCore could not have
// issued: its docs give customer IDs as UUIDs
// ("6d962783-f0cf-420d-a511-3a48c71c5595") [C].
func checkCustomerID(op, id string) error {
	if p := transport.CheckUUID(id); p != "" {
		return restrict.NewFieldError(Provider, op, "id", p)
	}
	return nil
}

// SuspendRequest names the customer to suspend.
type SuspendRequest struct {
	// ID is the KunaCore customer ID, a UUID.
	ID string `json:"id"`
}

// SuspendResult is KunaCore's answer to a suspension,
// {"data":{"success":true}}.
type SuspendResult struct {
	// Success is KunaCore's "success". It is true on every result
	// returned without error: an answer whose "success" is false, or
	// missing, is returned as an error matching restrict.ErrConflict.
	Success bool `json:"success"`
	restrict.Meta
}

func (r *SuspendResult) confirmed() bool { return r.Success }

// Suspend marks the customer, and its wallet, Suspended: no financial or
// non-financial action is possible for it afterwards [C]. KunaCore
// documents no way back. Suspending twice is harmless, so the call is
// retried like any idempotent one. What KunaCore answers for a customer
// suspended already is not documented; see Restrict.
//
// https://docs.kunacore.io/docs/suspend-customer
func (c *Client) Suspend(ctx context.Context, req SuspendRequest) (*SuspendResult, error) {
	const op = "Suspend"
	if err := checkCustomerID(op, req.ID); err != nil {
		return nil, err
	}
	return transport.Call[SuspendResult](ctx, c.tc, &transport.Operation{
		Name: op, Method: http.MethodPost, Path: pathSuspend, Body: req, Idempotent: true,
	})
}

// CustomerDetailsRequest names the customer to read.
type CustomerDetailsRequest struct {
	// ID is the KunaCore customer ID, a UUID.
	ID string `json:"id"`
}

// CustomerDetails returns everything KunaCore holds about one customer, by
// its KunaCore ID. The suspend page's newer text says a suspended customer
// is shown with status Suspended; an older one said it was not shown at
// all, which would read as restrict.ErrNotFound.
//
// https://docs.kunacore.io/docs/details-of-customer
func (c *Client) CustomerDetails(ctx context.Context, req CustomerDetailsRequest) (*Customer, error) {
	const op = "CustomerDetails"
	if err := checkCustomerID(op, req.ID); err != nil {
		return nil, err
	}
	return transport.Call[Customer](ctx, c.tc, &transport.Operation{
		Name: op, Method: http.MethodPost, Path: pathDetails, Body: req, Idempotent: true,
	})
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

// findBody is FindCustomersRequest as KunaCore reads it.
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
	restrict.Meta
}

// UnmarshalJSON reads the page from data. KunaCore documents the find
// request but not its answer; the client reads data as a list of customers
// [I], and reports any other shape as an unreadable answer rather than as
// no customers, which could hide one that exists.
func (r *FindCustomersResult) UnmarshalJSON(b []byte) error {
	return json.Unmarshal(b, &r.Customers)
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
	return transport.Call[FindCustomersResult](ctx, c.tc, &transport.Operation{
		Name: op, Method: http.MethodPost, Path: pathFind, Body: body, Idempotent: true,
	})
}

// CreateCustomerRequest is a new customer. Email, FirstName, LastName,
// Country, VerificationDocumentID and ResidenceAddress are required; the
// email must be unique at KunaCore, where it acts as the primary key [C].
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
// then uses the wallet's ID [C]. Every missing required field, and a
// country that is not an assigned ISO 3166-1 alpha-2 code, is named in one
// error before anything is sent. It is not idempotent: it is retried only
// when the request provably never reached KunaCore, and a duplicate email
// is refused with restrict.ErrConflict.
//
// https://docs.kunacore.io/docs/add-customer
func (c *Client) CreateCustomer(ctx context.Context, req CreateCustomerRequest) (*Customer, error) {
	const op = "CreateCustomer"
	problems := make(map[string][]string)
	for _, f := range []struct{ name, value string }{
		{"email", req.Email},
		{"firstName", req.FirstName},
		{"lastName", req.LastName},
		{"country", req.Country},
		{"verificationDocumentId", req.VerificationDocumentID},
		{"residenceAddress", req.ResidenceAddress},
	} {
		if strings.TrimSpace(f.value) == "" {
			problems[f.name] = []string{"is required"}
		}
	}
	if _, missing := problems["country"]; !missing {
		if p := countryProblem(req.Country); p != "" {
			problems["country"] = []string{p}
		}
	}
	if err := fieldsError(op, problems); err != nil {
		return nil, err
	}
	return transport.Call[Customer](ctx, c.tc, &transport.Operation{
		Name: op, Method: http.MethodPost, Path: pathCreate, Body: req,
	})
}

// fieldsError is one error naming every field in problems, or nil.
func fieldsError(op string, problems map[string][]string) error {
	if len(problems) == 0 {
		return nil
	}
	names := make([]string, 0, len(problems))
	for name := range problems {
		names = append(names, name)
	}
	sort.Strings(names)
	msgs := make([]string, len(names))
	for i, name := range names {
		msgs[i] = name + " " + strings.Join(problems[name], ", ")
	}
	return &restrict.APIError{Provider: Provider, Operation: op, Class: restrict.ErrInvalidRequest,
		Message: strings.Join(msgs, "; "), Fields: problems}
}

// UpdateCustomerRequest changes a customer: ID names it, and only the
// fields that are not nil are sent, so a field can also be set to ""
// (restrict.Ptr("")). KunaCore's update data dictionary lists no
// referralId, so it cannot be changed here.
//
// KunaCore says update can also set the wallet's status (Active, Blocked,
// Suspicious), but its data dictionary does not name the body field for it
// [C]; rather than guess a name that KunaCore might reject or ignore, this
// request has no status field.
type UpdateCustomerRequest struct {
	// ID is the KunaCore customer ID, a UUID.
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

// UpdateCustomer changes the given fields of a customer and returns it as
// KunaCore answers (its update page shows no answer; a customer is
// inferred, and fields KunaCore leaves out stay empty) [I]. Its ID and
// wallet ID cannot change. It is not idempotent (an email change can
// collide with another customer's), so it is retried only when the request
// provably never reached KunaCore. KunaCore says no action is possible for
// a suspended customer [C], so an update of one is expected to be refused
// [I].
//
// https://docs.kunacore.io/docs/update-customer
func (c *Client) UpdateCustomer(ctx context.Context, req UpdateCustomerRequest) (*Customer, error) {
	const op = "UpdateCustomer"
	if err := checkCustomerID(op, req.ID); err != nil {
		return nil, err
	}
	problems := make(map[string][]string)
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
			problems[f.name] = []string{"must not be empty"}
		}
	}
	if req.Country != nil {
		if p := countryProblem(*req.Country); p != "" {
			problems["country"] = []string{p}
		}
	}
	if err := fieldsError(op, problems); err != nil {
		return nil, err
	}
	return transport.Call[Customer](ctx, c.tc, &transport.Operation{
		Name: op, Method: http.MethodPost, Path: pathUpdate, Body: req,
	})
}

// assignedCountries lists the 249 officially assigned ISO 3166-1 alpha-2
// codes, checked against two independent copies: Debian's iso-codes 4.15
// (iso_3166-1.json) and tzdata's iso3166.tab. Exceptionally reserved and
// user-assigned codes (UK, EU, XK for Kosovo) are not in it: KunaCore asks
// for ISO 3166-1 alpha-2 [C], and we infer that it refuses codes outside
// the standard too [I]. A country assigned after 2024 needs adding here.
const assignedCountries = "" +
	"AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE " +
	"BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD " +
	"CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM " +
	"DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF " +
	"GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU " +
	"ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN " +
	"KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME " +
	"MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA " +
	"NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM " +
	"PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI " +
	"SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK " +
	"TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI " +
	"VN VU WF WS YE YT ZA ZM ZW"

// validCountry reports whether code is an officially assigned ISO 3166-1
// alpha-2 code: two uppercase ASCII letters that are in the list.
func validCountry(code string) bool {
	if len(code) != 2 || code[0] < 'A' || code[0] > 'Z' || code[1] < 'A' || code[1] > 'Z' {
		return false
	}
	for i := 0; i+1 < len(assignedCountries); i += 3 {
		if assignedCountries[i:i+2] == code {
			return true
		}
	}
	return false
}

// countryProblem says what is wrong with a country code, or "" if nothing.
func countryProblem(code string) string {
	switch {
	case code == "":
		return "is required"
	case validCountry(code):
		return ""
	case len(code) == 2 && strings.ToUpper(code) != code && validCountry(strings.ToUpper(code)):
		return "must be an ISO 3166-1 alpha-2 code in upper case, such as " + strings.ToUpper(code)
	default:
		return "must be an assigned ISO 3166-1 alpha-2 code, such as UA or IT"
	}
}
