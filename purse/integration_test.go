package purse_test

import (
	"bytes"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/purse"
	"github.com/restrictkit/restrict/purse/pursetest"
	"github.com/restrictkit/restrict/restricttest"
)

func TestRestrictAndLiftAgainstFake(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, srv := newFake(t, restrict.WithLogger(logger))
	cust := srv.AddCustomer(purse.Customer{Email: "a@b.c", ExternalID: "user-1"})

	res, err := c.Restrict(ctx(), restrict.Target{ID: cust.ID, Reason: "chargeback"})
	require.NoError(t, err)
	require.Equal(t, &restrict.Result{Provider: purse.Provider, Action: restrict.ActionBlock, TargetID: cust.ID,
		State: restrict.StateRestricted, Meta: restrict.Meta{StatusCode: 200, Attempts: 1}}, res)
	got, ok := srv.Customer(cust.ID)
	require.True(t, ok)
	require.True(t, got.Blocked)
	res, err = c.Status(ctx(), restrict.Target{ID: cust.ID})
	require.NoError(t, err)
	require.Equal(t, &restrict.Result{Provider: purse.Provider, TargetID: cust.ID,
		State: restrict.StateRestricted, Meta: restrict.Meta{StatusCode: 200, Attempts: 1}}, res)

	res, err = c.Lift(ctx(), restrict.Target{ID: cust.ID})
	require.NoError(t, err)
	require.Equal(t, restrict.ActionUnblock, res.Action)
	require.Equal(t, restrict.StateActive, res.State)
	got, _ = srv.Customer(cust.ID)
	require.False(t, got.Blocked)

	require.Contains(t, logs.String(), "chargeback")
	require.NotContains(t, logs.String(), testSecret)
	require.NotContains(t, logs.String(), testKey)
}

func TestRestrictUnknownCustomer(t *testing.T) {
	t.Parallel()
	c, srv := newFake(t)
	_, err := c.Restrict(ctx(), restrict.Target{ID: unknownID})
	require.ErrorIs(t, err, restrict.ErrNotFound)
	var ae *restrict.APIError
	require.ErrorAs(t, err, &ae)
	require.Equal(t, "004", ae.Code)
	require.Equal(t, 400, ae.StatusCode)
	require.Equal(t, 1, srv.Requests())
}

func TestRestrictRetriesThroughFaults(t *testing.T) {
	t.Parallel()
	c, srv := newFake(t)
	cust := srv.AddCustomer(purse.Customer{})
	srv.Inject(restricttest.Fault{Status: 503, Times: 2})
	res, err := c.Restrict(ctx(), restrict.Target{ID: cust.ID})
	require.NoError(t, err)
	require.Equal(t, 3, res.Attempts)
	require.Equal(t, 3, srv.Requests())
}

func TestMalformedAnswerFromFake(t *testing.T) {
	t.Parallel()
	c, srv := newFake(t)
	srv.Inject(restricttest.Fault{Body: `{"id":`, Times: 1})
	_, err := c.GetCustomer(ctx(), purse.GetCustomerRequest{CustomerID: custID})
	require.ErrorIs(t, err, restrict.ErrUnavailable)
}

func TestWrongCredentialsAgainstFake(t *testing.T) {
	t.Parallel()
	srv := pursetest.NewServer(testCreds)
	t.Cleanup(srv.Close)
	for name, tc := range map[string]struct {
		creds purse.Credentials
		code  string
	}{
		"Key":     {purse.Credentials{Account: testAccount, Key: "other", Secret: testSecret}, "002"},
		"Secret":  {purse.Credentials{Account: testAccount, Key: testKey, Secret: "other"}, "003"},
		"Account": {purse.Credentials{Account: "0xother", Key: testKey, Secret: testSecret}, "002"},
	} {
		c, err := purse.New(tc.creds, restrict.WithBaseURL(srv.BaseURL()))
		require.NoError(t, err)
		_, err = c.GetCustomer(ctx(), purse.GetCustomerRequest{CustomerID: custID})
		require.ErrorIs(t, err, restrict.ErrUnauthorized, name)
		var ae *restrict.APIError
		require.True(t, errors.As(err, &ae))
		require.Equal(t, tc.code, ae.Code, name)
		require.NotContains(t, err.Error(), testSecret)
	}
}

// TestClockSkewAgainstFake: the fake's clock runs ten minutes ahead of the
// client's; the first call is refused with 011, corrected from the fake's
// Date header, and succeeds on the one extra try.
func TestClockSkewAgainstFake(t *testing.T) {
	t.Parallel()
	c, srv := newFake(t)
	srv.SetClock(func() time.Time { return time.Now().Add(10 * time.Minute) })
	cust := srv.AddCustomer(purse.Customer{})
	got, err := c.GetCustomer(ctx(), purse.GetCustomerRequest{CustomerID: cust.ID})
	require.NoError(t, err)
	require.Equal(t, 2, got.Attempts)
	require.InDelta(t, float64(10*time.Minute), float64(c.ClockOffset()), float64(2*time.Second))
	require.Equal(t, 2, srv.Requests())

	got, err = c.GetCustomer(ctx(), purse.GetCustomerRequest{CustomerID: cust.ID})
	require.NoError(t, err)
	require.Equal(t, 1, got.Attempts)
}

func TestEveryEndpointAgainstFake(t *testing.T) {
	t.Parallel()
	c, srv := newFake(t)

	created, err := c.CreateCustomer(ctx(), purse.CreateCustomerRequest{Email: "a@b.c", Description: "vip", ExternalID: "ext-1"})
	require.NoError(t, err)
	require.NotEmpty(t, created.ID)
	require.False(t, created.Blocked)

	_, err = c.CreateCustomer(ctx(), purse.CreateCustomerRequest{ExternalID: "ext-1"})
	require.ErrorIs(t, err, restrict.ErrConflict)

	updated, err := c.UpdateCustomer(ctx(), purse.UpdateCustomerRequest{ID: created.ID, Description: restrict.Ptr("")})
	require.NoError(t, err)
	require.Equal(t, "a@b.c", updated.Email)
	require.Empty(t, updated.Description)

	got, err := c.GetCustomer(ctx(), purse.GetCustomerRequest{CustomerID: created.ID})
	require.NoError(t, err)
	u, g := *updated, *got
	u.Meta, g.Meta = restrict.Meta{}, restrict.Meta{}
	require.Equal(t, u, g)

	byExt, err := c.GetCustomerByExternalID(ctx(), purse.GetCustomerByExternalIDRequest{ExternalID: "ext-1"})
	require.NoError(t, err)
	require.Equal(t, created.ID, byExt.ID)
	_, err = c.GetCustomerByExternalID(ctx(), purse.GetCustomerByExternalIDRequest{ExternalID: "ext-2"})
	require.ErrorIs(t, err, restrict.ErrNotFound)

	blocked, err := c.BlockCustomer(ctx(), purse.BlockCustomerRequest{CustomerID: created.ID})
	require.NoError(t, err)
	require.True(t, blocked.Blocked)
	unblocked, err := c.UnblockCustomer(ctx(), purse.UnblockCustomerRequest{CustomerID: created.ID})
	require.NoError(t, err)
	require.False(t, unblocked.Blocked)

	p1 := srv.AddPurse(purse.Purse{CustomerID: created.ID, Currency: "USDT", Balance: "10.5"})
	srv.AddPurse(purse.Purse{CustomerID: "someone-else", Currency: "BTC", Balance: "1"})
	purses, err := c.GetPurses(ctx(), purse.GetPursesRequest{CustomerID: created.ID})
	require.NoError(t, err)
	require.Equal(t, []purse.Purse{p1}, purses.Purses)

	srv.AddAddress(purse.Address{PurseID: p1.ID, CustomerID: created.ID, Currency: "USDT", Address: "TXYZ"})
	addr, err := c.GetAddress(ctx(), purse.GetAddressRequest{PurseID: p1.ID})
	require.NoError(t, err)
	require.Equal(t, "TXYZ", addr.Address)
	_, err = c.GetAddress(ctx(), purse.GetAddressRequest{PurseID: "nope"})
	require.ErrorIs(t, err, restrict.ErrNotFound)

	for i, st := range []string{"MEM_POOL_FOUND", "CONFIRMED", "MEM_POOL_FOUND"} {
		srv.AddTransaction(purse.Transaction{CustomerID: created.ID, PurseID: p1.ID, Currency: "USDT", Amount: "1",
			TransactionState: st, CreatedDate: time.Date(2026, 11, 21, 10, i, 0, 0, time.UTC).Format(time.RFC3339)})
	}
	other := srv.AddTransaction(purse.Transaction{CustomerID: "someone-else", Currency: "BTC", Amount: "2", TransactionState: "CONFIRMED"})

	tx, err := c.GetTransaction(ctx(), purse.GetTransactionRequest{TransactionID: other.ID})
	require.NoError(t, err)
	other.Meta = restrict.Meta{StatusCode: 200, Attempts: 1}
	require.Equal(t, &other, tx)
	_, err = c.GetTransaction(ctx(), purse.GetTransactionRequest{TransactionID: unknownID})
	require.ErrorIs(t, err, restrict.ErrNotFound)

	page, err := c.FindTransactions(ctx(), purse.FindTransactionsRequest{
		CustomerID:             created.ID,
		TransactionStateFilter: &purse.Filter{Equals: restrict.Ptr("MEM_POOL_FOUND")},
		PageSize:               1, Sort: purse.SortDescending, Properties: "createdDate",
	})
	require.NoError(t, err)
	require.Equal(t, 0, page.Page)
	require.Equal(t, 1, page.Size)
	require.Equal(t, 2, page.Total)
	require.EqualValues(t, 2, page.TotalElements)
	require.Len(t, page.Result, 1)
	require.Equal(t, "2026-11-21T10:02:00Z", page.Result[0].CreatedDate)

	page, err = c.FindTransactions(ctx(), purse.FindTransactionsRequest{CurrencyFilter: &purse.Filter{NotIn: []string{"USDT"}}})
	require.NoError(t, err)
	require.Len(t, page.Result, 1)
	require.Equal(t, other.ID, page.Result[0].ID)
}

func TestFakeIsSafeConcurrently(t *testing.T) {
	t.Parallel()
	c, srv := newFake(t)
	cust := srv.AddCustomer(purse.Customer{})
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			var err error
			if i%2 == 0 {
				_, err = c.Restrict(ctx(), restrict.Target{ID: cust.ID})
			} else {
				_, err = c.Lift(ctx(), restrict.Target{ID: cust.ID})
			}
			errs <- err
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.Equal(t, 16, srv.Requests())
}
