package purse

// Every payload this client sends is defined in this file, because several
// of Calypso's field names are not published. The OpenAPI pages give only
// the envelope (account, timestamp, payload); the names below come from
// the how-to guides and the transaction/find schema where they are
// confirmed, and follow their pattern (camelCase, "<thing>Id") where they
// are not. Each field says which. A name that turns out wrong is fixed
// here, once, for the client and its error messages alike.

// JSON names of the payload fields, also used to name the field in
// validation errors.
const (
	fieldID            = "id"            // confirmed: customer/update
	fieldExternalID    = "externalId"    // confirmed on create; inferred for external/get
	fieldCustomerID    = "customerId"    // confirmed for block and find; inferred for get, unblock, purse/get-all
	fieldPurseID       = "purseId"       // inferred: address/get
	fieldTransactionID = "transactionId" // confirmed: transaction/get
	fieldPageNumber    = "pageNumber"    // confirmed: transaction/find
	fieldPageSize      = "pageSize"      // confirmed: transaction/find
	fieldSort          = "sort"          // confirmed: transaction/find
)

// createCustomerPayload is the payload of customer/create.
type createCustomerPayload struct {
	Email       string `json:"email,omitempty"`
	Description string `json:"description,omitempty"`
	ExternalID  string `json:"externalId,omitempty"`
}

// updateCustomerPayload is the payload of customer/update. Fields left nil
// are not sent, so they are left as they are.
type updateCustomerPayload struct {
	ID          string  `json:"id"`
	Email       *string `json:"email,omitempty"`
	Description *string `json:"description,omitempty"`
}

// customerIDPayload is the payload of customer/get, customer/block,
// customer/unblock and purse/get-all. For block, the how-to guide says to
// pass "account" and "customerId"; that customerId sits inside payload, as
// it does for transaction/find, is inferred.
type customerIDPayload struct {
	CustomerID string `json:"customerId"`
}

// externalIDPayload is the payload of customer/external/get (inferred
// name, after externalId on create).
type externalIDPayload struct {
	ExternalID string `json:"externalId"`
}

// addressPayload is the payload of address/get (inferred name).
type addressPayload struct {
	PurseID string `json:"purseId"`
}

// transactionIDPayload is the payload of transaction/get (confirmed).
type transactionIDPayload struct {
	TransactionID string `json:"transactionId"`
}

// findTransactionsPayload is the payload of transaction/find (confirmed
// names). pageNumber and pageSize are always sent: 0 is a real page
// number.
type findTransactionsPayload struct {
	CustomerID             string        `json:"customerId,omitempty"`
	CurrencyFilter         *Filter       `json:"currencyFilter,omitempty"`
	TransactionStateFilter *Filter       `json:"transactionStateFilter,omitempty"`
	PageNumber             int           `json:"pageNumber"`
	PageSize               int           `json:"pageSize"`
	Sort                   SortDirection `json:"sort,omitempty"`
	Properties             []string      `json:"properties,omitempty"`
}
