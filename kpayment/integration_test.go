package kpayment_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/testkit"
	"github.com/restrictkit/restrict/kpayment"
	"github.com/restrictkit/restrict/kpayment/kpaymenttest"
	"github.com/restrictkit/restrict/restricttest"
)

func TestIntegrationBlockCustomer(t *testing.T) {
	t.Parallel()
	for _, creds := range []kpayment.Credentials{basicCreds, {Token: testToken}} {
		c, srv := newFake(t, creds)
		req := kpayment.BlockCustomerRequest{
			InvoiceGUID: "inv-1", CCLastFour: "0042", CCType: "MASTERCARD", CardHolder: "Zoë / Ltd",
			OnlinePayment: restrict.Ptr(true), SendBlockNotification: restrict.Ptr(false),
		}
		res, err := c.BlockCustomer(context.Background(), "cust 1?x", req)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, res.StatusCode)
		require.Empty(t, res.Warnings)

		got, ok := srv.LastBlock("cust 1?x")
		require.True(t, ok, "the fake received the unescaped UUID")
		require.Equal(t, kpaymenttest.Block{
			CustomerUUID: "cust 1?x", InvoiceGUID: "inv-1", CCLastFour: "0042", CCType: "MASTERCARD", CardHolder: "Zoë / Ltd",
			OnlinePayment: restrict.Ptr(true), SendBlockNotification: restrict.Ptr(false),
		}, got)
		require.Nil(t, got.ThreeDSAuthentication, "a nil boolean is absent on the wire")
		require.True(t, srv.Blocked("cust 1?x"))
	}
}

func TestIntegrationWrongCredentials(t *testing.T) {
	t.Parallel()
	for _, creds := range []kpayment.Credentials{
		{Username: testUser, Password: "wrong-password"},
		{Username: "someone-else", Password: testPass},
		{Token: "wrong-token"},
	} {
		c, srv := newFake(t, creds)
		cust := srv.AddCustomer(kpaymenttest.Customer{})
		_, err := c.Restrict(context.Background(), restrict.Target{ID: cust.UUID})
		ae := testkit.RequireAPIError(t, err, kpayment.Provider, restrict.ErrUnauthorized)
		require.Equal(t, "100003", ae.Code)
		require.Equal(t, http.StatusUnauthorized, ae.StatusCode)
		require.Contains(t, ae.Message, "WRONG_CREDENTIAL")
		require.Equal(t, 1, ae.Attempts, "a 401 is not retried")
		require.NotContains(t, err.Error(), string(creds.Password+creds.Token))
		require.False(t, srv.Blocked(cust.UUID))
	}
}

func TestIntegrationStringCodedErrors(t *testing.T) {
	t.Parallel()
	for _, shape := range []kpaymenttest.ErrorShape{kpaymenttest.ShapeErrorName, kpaymenttest.ShapeErrorNumber} {
		c, srv := newFake(t, kpayment.Credentials{Username: testUser, Password: "nope"})
		srv.SetErrorShape(shape)
		_, err := c.BlockCustomer(context.Background(), custUUID, kpayment.BlockCustomerRequest{})
		ae := testkit.RequireAPIError(t, err, kpayment.Provider, restrict.ErrUnauthorized)
		require.Contains(t, []string{"WRONG_CREDENTIAL", "100003"}, ae.Code)
		require.Contains(t, ae.Message, "WRONG_CREDENTIAL")

		srv.Reject(http.StatusForbidden, kpaymenttest.CodeInvalidScopeDealer)
		c2, err := kpayment.New(basicCreds, restrict.WithBaseURL(srv.BaseURL()))
		require.NoError(t, err)
		_, err = c2.BlockCustomer(context.Background(), custUUID, kpayment.BlockCustomerRequest{})
		testkit.RequireAPIError(t, err, kpayment.Provider, restrict.ErrForbidden)
	}
}

// Restrict is idempotent at the contract: a customer blocked already is
// blocked again, the fake answers {} as the first time, and the result is
// restricted. Lift and Status reach nothing.
func TestIntegrationRestrict(t *testing.T) {
	t.Parallel()
	c, srv := newFake(t, basicCreds)
	cust := srv.AddCustomer(kpaymenttest.Customer{})
	require.False(t, srv.Blocked(cust.UUID))
	srv.SetWarnings(kpaymenttest.Warning{Code: kpaymenttest.CodeNoPreferredDealer, Description: "no preferred dealer"})
	res, err := c.Restrict(context.Background(), restrict.Target{ID: cust.UUID, Reason: "fraud"})
	require.NoError(t, err)
	require.Equal(t, restrict.StateRestricted, res.State)
	require.Equal(t, restrict.ActionBlock, res.Action)
	require.True(t, srv.Blocked(cust.UUID))
	got, ok := srv.LastBlock(cust.UUID)
	require.True(t, ok)
	require.Equal(t, restrict.Ptr(true), got.OnlinePayment)

	srv.SetWarnings()
	blocked := srv.AddCustomer(kpaymenttest.Customer{Blocked: true})
	for _, id := range []string{cust.UUID, blocked.UUID} {
		res, err = c.Restrict(context.Background(), restrict.Target{ID: id})
		require.NoError(t, err, "blocking a blocked customer succeeds")
		require.Equal(t, restrict.StateRestricted, res.State)
		require.True(t, srv.Blocked(id))
	}
	require.Equal(t, 3, srv.BlockCalls())

	before := srv.Requests()
	_, err = c.Lift(context.Background(), restrict.Target{ID: cust.UUID})
	require.ErrorIs(t, err, restrict.ErrUnsupported)
	_, err = c.Status(context.Background(), restrict.Target{ID: cust.UUID})
	require.ErrorIs(t, err, restrict.ErrUnsupported)
	require.Equal(t, before, srv.Requests(), "Lift and Status send nothing")
	require.True(t, srv.Blocked(cust.UUID))
}

func TestIntegrationWarnings(t *testing.T) {
	t.Parallel()
	c, srv := newFake(t, basicCreds)
	srv.SetWarnings(kpaymenttest.Warning{Code: kpaymenttest.CodeNoPreferredDealer, Message: "m", Description: "d"})
	res, err := c.BlockCustomer(context.Background(), custUUID, kpayment.BlockCustomerRequest{})
	require.NoError(t, err)
	require.Equal(t, []kpayment.Warning{{Code: "150000", Title: "NO_PREFERRED_DEALER_ID", Message: "m", Description: "d"}}, res.Warnings)
}

// A base URL without the /payment base path reaches the fake's Spring
// error page: the address is wrong, not the customer.
func TestIntegrationWrongBasePath(t *testing.T) {
	t.Parallel()
	srv := kpaymenttest.NewServer(basicCreds)
	t.Cleanup(srv.Close)
	c, err := kpayment.New(basicCreds, restrict.WithBaseURL(strings.TrimSuffix(srv.BaseURL(), kpaymenttest.BasePath)), fastRetry)
	require.NoError(t, err)
	_, err = c.Restrict(context.Background(), restrict.Target{ID: custUUID})
	ae := testkit.RequireAPIError(t, err, kpayment.Provider, restrict.ErrInvalidRequest)
	require.NotErrorIs(t, err, restrict.ErrNotFound)
	require.Equal(t, http.StatusNotFound, ae.StatusCode)
	require.Empty(t, ae.Code)
	require.Contains(t, ae.Message, "base URL or path is likely wrong")
	require.Equal(t, 1, ae.Attempts)
}

func TestIntegrationFaults(t *testing.T) {
	t.Parallel()
	t.Run("503 twice then success", func(t *testing.T) {
		t.Parallel()
		c, srv := newFake(t, basicCreds)
		srv.Inject(restricttest.Fault{Status: 503, Times: 2})
		res, err := c.BlockCustomer(context.Background(), custUUID, kpayment.BlockCustomerRequest{})
		require.NoError(t, err)
		require.Equal(t, 3, res.Attempts)
		require.Equal(t, 3, srv.Requests())
		require.True(t, srv.Blocked(custUUID))
	})
	t.Run("answer lost mid-way is retried", func(t *testing.T) {
		t.Parallel()
		c, srv := newFake(t, basicCreds)
		srv.Inject(restricttest.Fault{Status: 200, Body: `{"warnings":[]}`, Reset: true, Times: 1})
		res, err := c.BlockCustomer(context.Background(), custUUID, kpayment.BlockCustomerRequest{})
		require.NoError(t, err)
		require.Equal(t, 2, res.Attempts)
	})
	t.Run("long Retry-After is reported, not slept", func(t *testing.T) {
		t.Parallel()
		c, srv := newFake(t, basicCreds)
		srv.Inject(restricttest.Fault{Status: 429, Header: restricttest.RetryAfter(120)})
		start := time.Now()
		_, err := c.BlockCustomer(context.Background(), custUUID, kpayment.BlockCustomerRequest{})
		ae := testkit.RequireAPIError(t, err, kpayment.Provider, restrict.ErrRateLimited)
		require.Equal(t, 120*time.Second, ae.RetryAfter)
		require.Less(t, time.Since(start), 5*time.Second)
		require.Equal(t, 1, srv.Requests())
	})
	t.Run("malformed success body", func(t *testing.T) {
		t.Parallel()
		c, srv := newFake(t, basicCreds)
		srv.Inject(restricttest.Fault{Status: 200, Body: `{"warn`})
		_, err := c.BlockCustomer(context.Background(), custUUID, kpayment.BlockCustomerRequest{})
		testkit.RequireAPIError(t, err, kpayment.Provider, restrict.ErrUnavailable)
	})
	t.Run("slow answer and a context deadline", func(t *testing.T) {
		t.Parallel()
		c, srv := newFake(t, basicCreds)
		// restricttest ends a Delay when the client leaves only once the
		// server notices, which net/http does after the body is read; the
		// fault does not read it, so the delay is kept short.
		srv.Inject(restricttest.Fault{Delay: 200 * time.Millisecond})
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		_, err := c.BlockCustomer(ctx, custUUID, kpayment.BlockCustomerRequest{})
		require.ErrorIs(t, err, context.DeadlineExceeded)
	})
	t.Run("provider error as a fault body", func(t *testing.T) {
		t.Parallel()
		c, srv := newFake(t, basicCreds)
		srv.Inject(restricttest.Fault{Status: 400, ContentType: "*/*", Body: `{"errors":[{"errorCode":100006,"errorTitle":"INVALID_REQUEST_DATA"}]}`})
		_, err := c.BlockCustomer(context.Background(), custUUID, kpayment.BlockCustomerRequest{})
		ae := testkit.RequireAPIError(t, err, kpayment.Provider, restrict.ErrInvalidRequest)
		require.Equal(t, "100006", ae.Code)
	})
}

func TestIntegrationConcurrent(t *testing.T) {
	t.Parallel()
	c, srv := newFake(t, basicCreds)
	custs := make([]kpaymenttest.Customer, 32)
	for i := range custs {
		custs[i] = srv.AddCustomer(kpaymenttest.Customer{})
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(custs))
	for _, cust := range custs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.Restrict(context.Background(), restrict.Target{ID: cust.UUID})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.Equal(t, len(custs), srv.BlockCalls())
	for _, cust := range custs {
		require.True(t, srv.Blocked(cust.UUID))
	}
}
