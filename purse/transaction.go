package purse

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/transport"
)

// Transaction is a deposit to a customer's purse (PGTransactionDTO). Its
// fields are documented [C] except CustomerID and PurseID [I], which
// follow the customer object and the webhooks.
type Transaction struct {
	// ID is Calypso's ID of the transaction, a UUID.
	ID string `json:"id"`
	// Amount is kept as the decimal Calypso sent, so no precision is lost.
	Amount          json.Number `json:"amount"`
	AddressFrom     string      `json:"addressFrom"`
	Currency        string      `json:"currency"`
	TransactionHash string      `json:"transactionHash"`
	// TransactionState is the deposit's progress: MEM_POOL_FOUND,
	// PENDING_COMPLIANCE_CHECK, DECLINED or CONFIRMED.
	TransactionState string `json:"transactionState"`
	// ComplianceState is the AML check's state: UNCHECKED, IN_PROGRESS,
	// DECLINE or CHECKED.
	ComplianceState string `json:"complianceState"`
	// TranslationToAccountCompleted reports that the funds reached the
	// merchant's account.
	TranslationToAccountCompleted bool `json:"translationToAccountCompleted"`
	// CreatedDate is kept as sent: the schema says date-time, but
	// Calypso's webhook examples carry dates without a zone.
	CreatedDate string `json:"createdDate"`
	CustomerID  string `json:"customerId"`
	PurseID     string `json:"purseId"`
	// Meta is filled by GetTransaction; it stays zero in the Result of
	// FindTransactions, whose FindTransactionsResult has its own.
	restrict.Meta
}

// complete reports whether the transaction has its id, which the
// documented object always carries.
func (t *Transaction) complete() bool { return t.ID != "" }

// GetTransactionRequest names the transaction to read.
type GetTransactionRequest struct {
	TransactionID string `json:"transactionId"` // [C] a UUID
}

// Filter is a condition on one field of a transaction, with the operators
// transaction/find documents [C]. Unset operators are not sent; set
// several and all must hold. The transaction state filter documents
// equals, notEquals, specified, in and notIn only.
type Filter struct {
	Equals         *string  `json:"equals,omitempty"`
	NotEquals      *string  `json:"notEquals,omitempty"`
	In             []string `json:"in,omitempty"`
	NotIn          []string `json:"notIn,omitempty"`
	Specified      *bool    `json:"specified,omitempty"`
	Contains       *string  `json:"contains,omitempty"`
	DoesNotContain *string  `json:"doesNotContain,omitempty"`
}

// SortDirection orders transaction/find results.
type SortDirection string

// The sort directions.
const (
	SortAscending  SortDirection = "ASC"
	SortDescending SortDirection = "DESC"
)

// Page sizes transaction/find accepts from this client. Calypso publishes
// no bound; these keep a single answer well under the transport's 1 MiB
// limit.
const (
	MinPageSize     = 1
	MaxPageSize     = 1000
	DefaultPageSize = 20
)

// FindTransactionsRequest selects, pages and sorts transactions. Every
// name is documented [C].
type FindTransactionsRequest struct {
	// CustomerID limits the search to one customer (a UUID); empty
	// searches all of the merchant's customers.
	CustomerID             string  `json:"customerId,omitempty"`
	CurrencyFilter         *Filter `json:"currencyFilter,omitempty"`
	TransactionStateFilter *Filter `json:"transactionStateFilter,omitempty"`
	// PageNumber counts from 0, as in Spring-style paging [I]; the
	// answer's Page says which page it is. It is always sent: 0 is a
	// page.
	PageNumber int `json:"pageNumber"`
	// PageSize is MinPageSize to MaxPageSize; 0 sends DefaultPageSize.
	PageSize int `json:"pageSize"`
	// Sort and Properties order the results, e.g. SortDescending by
	// "createdDate". The OpenAPI example sends properties as one string,
	// where its list fields show arrays.
	Sort       SortDirection `json:"sort,omitempty"`
	Properties string        `json:"properties,omitempty"`
}

// FindTransactionsResult is one page of transaction/find.
type FindTransactionsResult struct {
	// Page is the page number and Size the page size.
	Page int `json:"page"`
	Size int `json:"size"`
	// Total counts the pages and TotalElements the transactions that
	// match.
	Total         int           `json:"total"`
	TotalElements int64         `json:"totalElements"`
	Result        []Transaction `json:"result"`
	restrict.Meta
}

// complete reports whether the page held a result list, empty or not.
func (r *FindTransactionsResult) complete() bool { return r.Result != nil }

// GetTransaction returns one transaction of a customer purse
// (transaction/get). req.TransactionID is Calypso's transaction ID, a
// UUID, as the webhooks carry it.
// https://docs.calypso.finance/api-reference/customer-purse-api
func (c *Client) GetTransaction(ctx context.Context, req GetTransactionRequest) (*Transaction, error) {
	if err := checkField("GetTransaction", "transactionId", req.TransactionID, transport.CheckUUID); err != nil {
		return nil, err
	}
	return transport.Call[Transaction](ctx, c.tc, &transport.Operation{Name: "GetTransaction", Method: http.MethodPost,
		Path: basePath + "/transaction/get", Body: req, Idempotent: true})
}

// FindTransactions searches customer purse transactions, one page at a
// time (transaction/find).
// https://docs.calypso.finance/api-reference/customer-purse-api
func (c *Client) FindTransactions(ctx context.Context, req FindTransactionsRequest) (*FindTransactionsResult, error) {
	const op = "FindTransactions"
	if req.PageSize == 0 {
		req.PageSize = DefaultPageSize
	}
	if req.CustomerID != "" {
		if err := checkField(op, "customerId", req.CustomerID, transport.CheckUUID); err != nil {
			return nil, err
		}
	}
	switch {
	case req.PageNumber < 0:
		return nil, restrict.NewFieldError(Provider, op, "pageNumber", "must not be negative")
	case req.PageSize < MinPageSize || req.PageSize > MaxPageSize:
		return nil, restrict.NewFieldError(Provider, op, "pageSize", fmt.Sprintf("must be between %d and %d", MinPageSize, MaxPageSize))
	case req.Sort != "" && req.Sort != SortAscending && req.Sort != SortDescending:
		return nil, restrict.NewFieldError(Provider, op, "sort", `must be "ASC" or "DESC"`)
	}
	return transport.Call[FindTransactionsResult](ctx, c.tc, &transport.Operation{Name: op, Method: http.MethodPost,
		Path: basePath + "/transaction/find", Body: req, Idempotent: true})
}
