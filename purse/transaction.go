package purse

import (
	"context"
	"fmt"
	"net/http"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/transport"
)

// Transaction is a deposit to a customer's purse. transactionState,
// complianceState, translationToAccountCompleted and createdDate are
// documented; the other names are inferred from the customer object.
type Transaction struct {
	ID         string `json:"id"`
	CustomerID string `json:"customerId"`
	PurseID    string `json:"purseId"`
	Currency   string `json:"currency"`
	Amount     Amount `json:"amount"`
	// TransactionState is the deposit's progress, e.g. "MEM_POOL_FOUND".
	TransactionState string `json:"transactionState"`
	// ComplianceState is the AML check's state, e.g. "UNCHECKED".
	ComplianceState string `json:"complianceState"`
	// TranslationToAccountCompleted reports that the funds reached the
	// merchant's account.
	TranslationToAccountCompleted bool `json:"translationToAccountCompleted"`
	// CreatedDate is kept as sent: its format is not documented.
	CreatedDate string `json:"createdDate"`
}

// TransactionResult is one transaction, as transaction/get answers.
type TransactionResult struct {
	Transaction
	restrict.Meta
}

// Filter is a condition on one field of a transaction, with the operators
// transaction/find documents. Unset operators are not sent; set several and
// all must hold.
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

// FindTransactionsRequest selects, pages and sorts transactions.
type FindTransactionsRequest struct {
	// CustomerID limits the search to one customer; empty searches all of
	// the merchant's customers.
	CustomerID             string
	CurrencyFilter         *Filter
	TransactionStateFilter *Filter
	// PageNumber counts from 0, as in Spring-style paging; the answer's
	// Page says which page it is.
	PageNumber int
	// PageSize is MinPageSize to MaxPageSize; 0 sends DefaultPageSize.
	PageSize int
	// Sort and Properties order the results, e.g. SortDescending by
	// "createdDate".
	Sort       SortDirection
	Properties []string
}

// TransactionPage is one page of transaction/find.
type TransactionPage struct {
	Page          int           `json:"page"`
	Size          int           `json:"size"`
	Total         int           `json:"total"`
	TotalElements int64         `json:"totalElements"`
	Result        []Transaction `json:"result"`
	restrict.Meta
}

// GetTransaction returns one transaction of a customer purse.
// https://docs.calypso.finance/api-reference/customer-purse-api
func (c *Client) GetTransaction(ctx context.Context, transactionID string) (*TransactionResult, error) {
	if err := checkID("GetTransaction", fieldTransactionID, transactionID); err != nil {
		return nil, err
	}
	var out TransactionResult
	meta, err := c.tc.Do(ctx, &transport.Operation{Name: "GetTransaction", Method: http.MethodPost, Path: basePath + "/transaction/get",
		Body: transactionIDPayload{TransactionID: transactionID}, Idempotent: true}, &out)
	if err != nil {
		return nil, err
	}
	out.Meta = meta
	return &out, nil
}

// FindTransactions searches customer purse transactions, one page at a
// time.
// https://docs.calypso.finance/api-reference/customer-purse-api
func (c *Client) FindTransactions(ctx context.Context, req FindTransactionsRequest) (*TransactionPage, error) {
	const op = "FindTransactions"
	if req.PageSize == 0 {
		req.PageSize = DefaultPageSize
	}
	switch {
	case req.PageNumber < 0:
		return nil, restrict.NewFieldError(Provider, op, fieldPageNumber, "must not be negative")
	case req.PageSize < MinPageSize || req.PageSize > MaxPageSize:
		return nil, restrict.NewFieldError(Provider, op, fieldPageSize, fmt.Sprintf("must be between %d and %d", MinPageSize, MaxPageSize))
	case req.Sort != "" && req.Sort != SortAscending && req.Sort != SortDescending:
		return nil, restrict.NewFieldError(Provider, op, fieldSort, `must be "ASC" or "DESC"`)
	}
	var out TransactionPage
	meta, err := c.tc.Do(ctx, &transport.Operation{Name: op, Method: http.MethodPost, Path: basePath + "/transaction/find",
		Body: findTransactionsPayload(req), Idempotent: true}, &out)
	if err != nil {
		return nil, err
	}
	out.Meta = meta
	return &out, nil
}
