package purse_test

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/purse"
)

func TestNewValidatesCredentials(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		field string
		creds purse.Credentials
	}{
		{"Account", purse.Credentials{Key: "k", Secret: "s"}},
		{"Key", purse.Credentials{Account: testAccount, Secret: "s"}},
		{"Secret", purse.Credentials{Account: testAccount, Key: "k"}},
	} {
		c, err := purse.New(tc.creds)
		require.Nil(t, c)
		require.ErrorIs(t, err, restrict.ErrInvalidRequest)
		var ae *restrict.APIError
		require.ErrorAs(t, err, &ae)
		require.Contains(t, ae.Fields, tc.field)
		require.Equal(t, purse.Provider, ae.Provider)
	}
}

func TestNewAcceptsAnAccountOutsideTheNewerPattern(t *testing.T) {
	t.Parallel()
	// The older host documents no format for account; only presence is
	// checked.
	_, err := purse.New(purse.Credentials{Account: "merchant-42", Key: "k", Secret: "s"})
	require.NoError(t, err)
}

func TestNewRejectsBadOptions(t *testing.T) {
	t.Parallel()
	_, err := purse.New(testCreds, restrict.WithBaseURL("http://calypso.example"))
	require.ErrorIs(t, err, restrict.ErrInvalidRequest)
	_, err = purse.New(testCreds, restrict.WithBaseURL("not a url"))
	require.ErrorIs(t, err, restrict.ErrInvalidRequest)
}

func TestSecretsNeverPrinted(t *testing.T) {
	t.Parallel()
	c, err := purse.New(testCreds)
	require.NoError(t, err)
	for _, v := range []any{testCreds, &testCreds, c} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
			out := fmt.Sprintf(verb, v)
			require.NotContains(t, out, testSecret, verb)
			require.NotContains(t, out, testKey, verb)
		}
	}
	require.Contains(t, fmt.Sprintf("%+v", testCreds), testAccount)
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("creds", "creds", testCreds)
	slog.New(slog.NewTextHandler(&buf, nil)).Info("creds", "creds", testCreds)
	require.NotContains(t, buf.String(), testSecret)
	require.NotContains(t, buf.String(), testKey)
}

// TestWireBlockCustomerGolden pins one request byte for byte, signature
// included (computed with python3 hmac).
func TestWireBlockCustomerGolden(t *testing.T) {
	t.Parallel()
	c, _, rec := newMocked(t, []answer{{Status: 200, Body: `{"id":"7b5c1f0e-2a3d-4e5f-8a9b-0c1d2e3f4a5b","email":"a@b.c","description":"d","externalId":"x-1","blocked":true}`}})
	cust, err := c.BlockCustomer(ctx(), "7b5c1f0e-2a3d-4e5f-8a9b-0c1d2e3f4a5b")
	require.NoError(t, err)
	reqs := rec.requests()
	require.Len(t, reqs, 1)
	r := reqs[0]
	require.Equal(t, http.MethodPost, r.Method)
	require.Equal(t, apiBase+"/customer/block", r.URL)
	require.Equal(t, `{"account":"0x00000000000000000000000000000000000000aa","timestamp":1700000000000,"payload":{"customerId":"7b5c1f0e-2a3d-4e5f-8a9b-0c1d2e3f4a5b"}}`, string(r.Body))
	require.Equal(t, testKey, r.Header.Get("Key"))
	require.Equal(t, "fa4a1974e2be530b5108358030035cab888f64f59a1bac4294cda87542943a4b"+
		"87fe82fe4b0b8dbe1f66e78b09dd1e95ae6791c339601c02b0e1e5986c38dbe5", r.Header.Get("Sign"))
	require.Equal(t, "application/json", r.Header.Get("Content-Type"))
	require.Equal(t, &purse.Customer{ID: "7b5c1f0e-2a3d-4e5f-8a9b-0c1d2e3f4a5b", Email: "a@b.c", Description: "d", ExternalID: "x-1", Blocked: true,
		Meta: restrict.Meta{StatusCode: 200, Attempts: 1}}, cust)
}

const customerJSON = `{"id":"7b5c1f0e-2a3d-4e5f-8a9b-0c1d2e3f4a5b","email":"a@b.c","description":"d","externalId":"x-1","blocked":false}`

var wantCustomer = purse.Customer{ID: "7b5c1f0e-2a3d-4e5f-8a9b-0c1d2e3f4a5b", Email: "a@b.c", Description: "d", ExternalID: "x-1", Meta: restrict.Meta{StatusCode: 200, Attempts: 1}}

func TestWireEveryEndpoint(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		path    string
		payload string
		answer  string
		call    func(*purse.Client) (any, error)
		want    any
	}{
		{
			name: "CreateCustomer", path: "/customer/create",
			payload: `{"email":"a@b.c","description":"d","externalId":"x-1"}`, answer: customerJSON,
			call: func(c *purse.Client) (any, error) {
				return c.CreateCustomer(ctx(), purse.CreateCustomerRequest{Email: "a@b.c", Description: "d", ExternalID: "x-1"})
			},
			want: &wantCustomer,
		},
		{
			name: "CreateCustomerEmpty", path: "/customer/create", payload: `{}`, answer: customerJSON,
			call: func(c *purse.Client) (any, error) { return c.CreateCustomer(ctx(), purse.CreateCustomerRequest{}) },
			want: &wantCustomer,
		},
		{
			name: "UpdateCustomer", path: "/customer/update",
			payload: `{"id":"7b5c1f0e-2a3d-4e5f-8a9b-0c1d2e3f4a5b","description":""}`, answer: customerJSON,
			call: func(c *purse.Client) (any, error) {
				return c.UpdateCustomer(ctx(), purse.UpdateCustomerRequest{ID: "7b5c1f0e-2a3d-4e5f-8a9b-0c1d2e3f4a5b", Description: purse.String("")})
			},
			want: &wantCustomer,
		},
		{
			name: "GetCustomer", path: "/customer/get", payload: `{"customerId":"7b5c1f0e-2a3d-4e5f-8a9b-0c1d2e3f4a5b"}`, answer: customerJSON,
			call: func(c *purse.Client) (any, error) {
				return c.GetCustomer(ctx(), "7b5c1f0e-2a3d-4e5f-8a9b-0c1d2e3f4a5b")
			},
			want: &wantCustomer,
		},
		{
			name: "GetCustomerByExternalID", path: "/customer/external/get", payload: `{"externalId":"x/1 é"}`, answer: customerJSON,
			call: func(c *purse.Client) (any, error) { return c.GetCustomerByExternalID(ctx(), "x/1 é") },
			want: &wantCustomer,
		},
		{
			name: "UnblockCustomer", path: "/customer/unblock", payload: `{"customerId":"7b5c1f0e-2a3d-4e5f-8a9b-0c1d2e3f4a5b"}`, answer: customerJSON,
			call: func(c *purse.Client) (any, error) {
				return c.UnblockCustomer(ctx(), "7b5c1f0e-2a3d-4e5f-8a9b-0c1d2e3f4a5b")
			},
			want: &wantCustomer,
		},
		{
			name: "GetPursesArray", path: "/purse/get-all", payload: `{"customerId":"7b5c1f0e-2a3d-4e5f-8a9b-0c1d2e3f4a5b"}`,
			answer: `[{"id":"p-1","customerId":"7b5c1f0e-2a3d-4e5f-8a9b-0c1d2e3f4a5b","currency":"USDT","balance":"10.50"},{"id":"p-2","customerId":"7b5c1f0e-2a3d-4e5f-8a9b-0c1d2e3f4a5b","currency":"BTC","balance":0.00000001}]`,
			call:   func(c *purse.Client) (any, error) { return c.GetPurses(ctx(), "7b5c1f0e-2a3d-4e5f-8a9b-0c1d2e3f4a5b") },
			want: &purse.Purses{Purses: []purse.Purse{
				{ID: "p-1", CustomerID: "7b5c1f0e-2a3d-4e5f-8a9b-0c1d2e3f4a5b", Currency: "USDT", Balance: "10.50"},
				{ID: "p-2", CustomerID: "7b5c1f0e-2a3d-4e5f-8a9b-0c1d2e3f4a5b", Currency: "BTC", Balance: "0.00000001"},
			}, Meta: restrict.Meta{StatusCode: 200, Attempts: 1}},
		},
		{
			name: "GetPursesPaged", path: "/purse/get-all", payload: `{"customerId":"7b5c1f0e-2a3d-4e5f-8a9b-0c1d2e3f4a5b"}`,
			answer: `{"page":0,"size":20,"total":1,"totalElements":1,"result":[{"id":"p-1","customerId":"7b5c1f0e-2a3d-4e5f-8a9b-0c1d2e3f4a5b","currency":"USDT","balance":"1"}]}`,
			call:   func(c *purse.Client) (any, error) { return c.GetPurses(ctx(), "7b5c1f0e-2a3d-4e5f-8a9b-0c1d2e3f4a5b") },
			want: &purse.Purses{Purses: []purse.Purse{{ID: "p-1", CustomerID: "7b5c1f0e-2a3d-4e5f-8a9b-0c1d2e3f4a5b", Currency: "USDT", Balance: "1"}},
				Meta: restrict.Meta{StatusCode: 200, Attempts: 1}},
		},
		{
			name: "GetAddress", path: "/address/get", payload: `{"purseId":"p-1"}`,
			answer: `{"address":"TXYZ","currency":"USDT","purseId":"p-1","customerId":"7b5c1f0e-2a3d-4e5f-8a9b-0c1d2e3f4a5b"}`,
			call: func(c *purse.Client) (any, error) {
				return c.GetAddress(ctx(), purse.GetAddressRequest{PurseID: "p-1"})
			},
			want: &purse.Address{Address: "TXYZ", Currency: "USDT", PurseID: "p-1", CustomerID: "7b5c1f0e-2a3d-4e5f-8a9b-0c1d2e3f4a5b",
				Meta: restrict.Meta{StatusCode: 200, Attempts: 1}},
		},
		{
			name: "GetTransaction", path: "/transaction/get", payload: `{"transactionId":"9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a"}`,
			answer: `{"id":"9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a","customerId":"7b5c1f0e-2a3d-4e5f-8a9b-0c1d2e3f4a5b","purseId":"p-1","currency":"USDT","amount":"12.345678","transactionState":"MEM_POOL_FOUND",` +
				`"complianceState":"UNCHECKED","translationToAccountCompleted":false,"createdDate":"2026-11-21T10:00:00Z"}`,
			call: func(c *purse.Client) (any, error) {
				return c.GetTransaction(ctx(), "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a")
			},
			want: &purse.TransactionResult{Transaction: purse.Transaction{ID: "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a", CustomerID: "7b5c1f0e-2a3d-4e5f-8a9b-0c1d2e3f4a5b", PurseID: "p-1", Currency: "USDT",
				Amount: "12.345678", TransactionState: "MEM_POOL_FOUND", ComplianceState: "UNCHECKED", CreatedDate: "2026-11-21T10:00:00Z"},
				Meta: restrict.Meta{StatusCode: 200, Attempts: 1}},
		},
		{
			name: "FindTransactions", path: "/transaction/find",
			payload: `{"customerId":"7b5c1f0e-2a3d-4e5f-8a9b-0c1d2e3f4a5b","currencyFilter":{"in":["USDT","BTC"],"specified":true},` +
				`"transactionStateFilter":{"equals":"","notEquals":"FAILED","notIn":["X"],"specified":false,"contains":"POOL","doesNotContain":"Z"},` +
				`"pageNumber":0,"pageSize":1000,"sort":"DESC","properties":["createdDate"]}`,
			answer: `{"page":0,"size":1000,"total":1,"totalElements":1,"result":[{"id":"9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a","amount":5}]}`,
			call: func(c *purse.Client) (any, error) {
				return c.FindTransactions(ctx(), purse.FindTransactionsRequest{
					CustomerID:     "7b5c1f0e-2a3d-4e5f-8a9b-0c1d2e3f4a5b",
					CurrencyFilter: &purse.Filter{In: []string{"USDT", "BTC"}, Specified: purse.Bool(true)},
					TransactionStateFilter: &purse.Filter{Equals: purse.String(""), NotEquals: purse.String("FAILED"), NotIn: []string{"X"},
						Specified: purse.Bool(false), Contains: purse.String("POOL"), DoesNotContain: purse.String("Z")},
					PageSize: 1000, Sort: purse.SortDescending, Properties: []string{"createdDate"},
				})
			},
			want: &purse.TransactionPage{Size: 1000, Total: 1, TotalElements: 1, Result: []purse.Transaction{{ID: "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a", Amount: "5"}},
				Meta: restrict.Meta{StatusCode: 200, Attempts: 1}},
		},
		{
			name: "FindTransactionsDefaults", path: "/transaction/find", payload: `{"pageNumber":0,"pageSize":20}`,
			answer: `{"page":0,"size":20,"total":0,"totalElements":0,"result":[]}`,
			call:   func(c *purse.Client) (any, error) { return c.FindTransactions(ctx(), purse.FindTransactionsRequest{}) },
			want: &purse.TransactionPage{Size: 20, Result: []purse.Transaction{},
				Meta: restrict.Meta{StatusCode: 200, Attempts: 1}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, _, rec := newMocked(t, []answer{{Status: 200, Body: tc.answer}})
			got, err := tc.call(c)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
			reqs := rec.requests()
			require.Len(t, reqs, 1)
			r := reqs[0]
			require.Equal(t, http.MethodPost, r.Method)
			require.Equal(t, apiBase+tc.path, r.URL)
			want := `{"account":"` + testAccount + `","timestamp":1700000000000,"payload":` + tc.payload + `}`
			require.JSONEq(t, want, string(r.Body))
			require.Equal(t, testKey, r.Header.Get("Key"))
			require.Equal(t, hmacHex(testSecret, r.Body), r.Header.Get("Sign"))
		})
	}
}

func TestValidationSendsNothing(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		field string
		call  func(*purse.Client) error
	}{
		{"UpdateCustomer", "id", func(c *purse.Client) error {
			_, err := c.UpdateCustomer(ctx(), purse.UpdateCustomerRequest{Email: purse.String("a@b.c")})
			return err
		}},
		{"GetCustomer", "customerId", func(c *purse.Client) error { _, err := c.GetCustomer(ctx(), ""); return err }},
		{"GetCustomerBlank", "customerId", func(c *purse.Client) error { _, err := c.GetCustomer(ctx(), "  "); return err }},
		{"GetCustomerByExternalID", "externalId", func(c *purse.Client) error { _, err := c.GetCustomerByExternalID(ctx(), ""); return err }},
		{"BlockCustomer", "customerId", func(c *purse.Client) error { _, err := c.BlockCustomer(ctx(), ""); return err }},
		{"UnblockCustomer", "customerId", func(c *purse.Client) error { _, err := c.UnblockCustomer(ctx(), ""); return err }},
		{"GetPurses", "customerId", func(c *purse.Client) error { _, err := c.GetPurses(ctx(), ""); return err }},
		{"GetAddress", "purseId", func(c *purse.Client) error { _, err := c.GetAddress(ctx(), purse.GetAddressRequest{}); return err }},
		{"GetTransaction", "transactionId", func(c *purse.Client) error { _, err := c.GetTransaction(ctx(), ""); return err }},
		{"PageSizeTooBig", "pageSize", func(c *purse.Client) error {
			_, err := c.FindTransactions(ctx(), purse.FindTransactionsRequest{PageSize: purse.MaxPageSize + 1})
			return err
		}},
		{"PageSizeNegative", "pageSize", func(c *purse.Client) error {
			_, err := c.FindTransactions(ctx(), purse.FindTransactionsRequest{PageSize: -1})
			return err
		}},
		{"PageNumberNegative", "pageNumber", func(c *purse.Client) error {
			_, err := c.FindTransactions(ctx(), purse.FindTransactionsRequest{PageNumber: -1})
			return err
		}},
		{"Sort", "sort", func(c *purse.Client) error {
			_, err := c.FindTransactions(ctx(), purse.FindTransactionsRequest{Sort: "sideways"})
			return err
		}},
		{"Restrict", "ID", func(c *purse.Client) error { _, err := c.Restrict(ctx(), restrict.Target{}); return err }},
		{"Lift", "ID", func(c *purse.Client) error { _, err := c.Lift(ctx(), restrict.Target{ID: " "}); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mt, _ := newMocked(t, []answer{{Status: 200, Body: customerJSON}})
			err := tc.call(c)
			require.ErrorIs(t, err, restrict.ErrInvalidRequest)
			var ae *restrict.APIError
			require.True(t, errors.As(err, &ae))
			require.Contains(t, ae.Fields, tc.field)
			require.Contains(t, err.Error(), tc.field)
			require.Zero(t, ae.Attempts)
			require.Zero(t, mt.GetTotalCallCount())
		})
	}
}

func TestErrorMessagesCarryNoSecret(t *testing.T) {
	t.Parallel()
	// A provider that echoes the request back must not leak the key, the
	// secret or the signature through the error.
	c, _, rec := newMocked(t, []answer{{Status: 400, Body: `{"errorCode":"003","message":"Wrong sign for key ` + testKey + ` secret ` + testSecret + `"}`}})
	_, err := c.GetCustomer(ctx(), "7b5c1f0e-2a3d-4e5f-8a9b-0c1d2e3f4a5b")
	require.ErrorIs(t, err, restrict.ErrUnauthorized)
	require.NotContains(t, err.Error(), testKey)
	require.NotContains(t, err.Error(), testSecret)
	require.NotContains(t, err.Error(), rec.requests()[0].Header.Get("Sign"))
	require.True(t, strings.Contains(err.Error(), "[REDACTED]"))
}
