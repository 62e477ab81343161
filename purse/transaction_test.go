package purse_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/testkit"
	"github.com/restrictkit/restrict/purse"
)

// transactionJSON is PGTransactionDTO as the OpenAPI example shows it,
// with the inferred customer and purse IDs.
const transactionJSON = `{"id":"` + txID + `","amount":12.345678,"addressFrom":"TFrom","currency":"USDT","transactionHash":"0xabc",` +
	`"transactionState":"CONFIRMED","complianceState":"CHECKED","translationToAccountCompleted":true,` +
	`"createdDate":"2025-07-30T10:53:50.356Z","customerId":"` + custID + `","purseId":"p-1"}`

var wantTransaction = purse.Transaction{ID: txID, Amount: "12.345678", AddressFrom: "TFrom", Currency: "USDT", TransactionHash: "0xabc",
	TransactionState: "CONFIRMED", ComplianceState: "CHECKED", TranslationToAccountCompleted: true,
	CreatedDate: "2025-07-30T10:53:50.356Z", CustomerID: custID, PurseID: "p-1"}

func TestGetTransactionWire(t *testing.T) {
	t.Parallel()
	c, _, rec := newMocked(t, []testkit.Answer{{Status: 200, Body: transactionJSON}})
	got, err := c.GetTransaction(ctx(), purse.GetTransactionRequest{TransactionID: txID})
	require.NoError(t, err)
	want := wantTransaction
	want.Meta = restrict.Meta{StatusCode: 200, Attempts: 1}
	require.Equal(t, &want, got)
	requireSignedEnvelope(t, rec.Requests()[0], "/transaction/get", `{"transactionId":"`+txID+`"}`)
}

func TestFindTransactionsWire(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		req     purse.FindTransactionsRequest
		payload string
		answer  string
		want    purse.FindTransactionsResult
	}{
		{
			name: "Everything",
			req: purse.FindTransactionsRequest{
				CustomerID:     custID,
				CurrencyFilter: &purse.Filter{In: []string{"USDT", "BTC"}, Specified: restrict.Ptr(true)},
				TransactionStateFilter: &purse.Filter{Equals: restrict.Ptr(""), NotEquals: restrict.Ptr("DECLINED"), NotIn: []string{"X"},
					Specified: restrict.Ptr(false), Contains: restrict.Ptr("POOL"), DoesNotContain: restrict.Ptr("Z")},
				PageNumber: 2, PageSize: 1000, Sort: purse.SortDescending, Properties: "createdDate",
			},
			payload: `{"customerId":"` + custID + `","currencyFilter":{"in":["USDT","BTC"],"specified":true},` +
				`"transactionStateFilter":{"equals":"","notEquals":"DECLINED","notIn":["X"],"specified":false,"contains":"POOL","doesNotContain":"Z"},` +
				`"pageNumber":2,"pageSize":1000,"sort":"DESC","properties":"createdDate"}`,
			answer: `{"page":2,"size":1000,"total":3,"totalElements":2001,"result":[` + transactionJSON + `]}`,
			want:   purse.FindTransactionsResult{Page: 2, Size: 1000, Total: 3, TotalElements: 2001, Result: []purse.Transaction{wantTransaction}},
		},
		{
			name:    "Defaults",
			payload: `{"pageNumber":0,"pageSize":20}`,
			answer:  `{"page":0,"size":20,"total":0,"totalElements":0,"result":[]}`,
			want:    purse.FindTransactionsResult{Size: 20, Result: []purse.Transaction{}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, _, rec := newMocked(t, []testkit.Answer{{Status: 200, Body: tc.answer}})
			got, err := c.FindTransactions(ctx(), tc.req)
			require.NoError(t, err)
			tc.want.Meta = restrict.Meta{StatusCode: 200, Attempts: 1}
			require.Equal(t, &tc.want, got)
			requireSignedEnvelope(t, rec.Requests()[0], "/transaction/find", tc.payload)
		})
	}
}

func TestTransactionValidationSendsNothing(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, op, field string
		call            func(*purse.Client) error
	}{
		{"GetTransaction", "GetTransaction", "transactionId", func(c *purse.Client) error {
			_, err := c.GetTransaction(ctx(), purse.GetTransactionRequest{TransactionID: "tx-1"})
			return err
		}},
		{"CustomerID", "FindTransactions", "customerId", func(c *purse.Client) error {
			_, err := c.FindTransactions(ctx(), purse.FindTransactionsRequest{CustomerID: "user-1"})
			return err
		}},
		{"PageSizeTooBig", "FindTransactions", "pageSize", func(c *purse.Client) error {
			_, err := c.FindTransactions(ctx(), purse.FindTransactionsRequest{PageSize: purse.MaxPageSize + 1})
			return err
		}},
		{"PageSizeNegative", "FindTransactions", "pageSize", func(c *purse.Client) error {
			_, err := c.FindTransactions(ctx(), purse.FindTransactionsRequest{PageSize: -1})
			return err
		}},
		{"PageNumberNegative", "FindTransactions", "pageNumber", func(c *purse.Client) error {
			_, err := c.FindTransactions(ctx(), purse.FindTransactionsRequest{PageNumber: -1})
			return err
		}},
		{"Sort", "FindTransactions", "sort", func(c *purse.Client) error {
			_, err := c.FindTransactions(ctx(), purse.FindTransactionsRequest{Sort: "sideways"})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mt, _ := newMocked(t, []testkit.Answer{{Status: 200, Body: transactionJSON}})
			requireFieldError(t, tc.call(c), tc.op, tc.field)
			require.Zero(t, mt.GetTotalCallCount())
		})
	}
}

// TestTransactionAnswersWithoutTheirObject: a success without the
// transaction's id, or a page without its result list, is unreadable; an
// errorCode sent with 200 is Calypso's error.
func TestTransactionAnswersWithoutTheirObject(t *testing.T) {
	t.Parallel()
	c, _, _ := newMocked(t, []testkit.Answer{{Status: 200, Body: `{"data":` + transactionJSON + `}`}}, noRetry)
	_, err := c.GetTransaction(ctx(), purse.GetTransactionRequest{TransactionID: txID})
	require.ErrorIs(t, err, restrict.ErrUnavailable)
	require.Contains(t, err.Error(), "unreadable answer: no transaction id")

	c, _, _ = newMocked(t, []testkit.Answer{{Status: 200, Body: `{"page":0,"size":20}`}}, noRetry)
	_, err = c.FindTransactions(ctx(), purse.FindTransactionsRequest{})
	require.ErrorIs(t, err, restrict.ErrUnavailable)
	require.Contains(t, err.Error(), "unreadable answer: no result")

	c, _, _ = newMocked(t, []testkit.Answer{{Status: 200, Body: `{"errorCode":"004","message":"Not found"}`}}, noRetry)
	_, err = c.FindTransactions(ctx(), purse.FindTransactionsRequest{})
	require.ErrorIs(t, err, restrict.ErrNotFound)
	var ae *restrict.APIError
	require.ErrorAs(t, err, &ae)
	require.Equal(t, "004", ae.Code)
}
