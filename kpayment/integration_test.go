package kpayment_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/kpayment"
	"github.com/restrictkit/restrict/kpayment/kpaymenttest"
	"github.com/restrictkit/restrict/restricttest"
)

func newFake(t *testing.T, creds kpayment.Credentials, opts ...restrict.Option) (*kpayment.Client, *kpaymenttest.Server) {
	t.Helper()
	// The fake accepts both the Basic pair and the token.
	fake := kpaymenttest.NewServer(kpayment.Credentials{Username: testUser, Password: testPass, Token: testToken})
	t.Cleanup(fake.Close)
	opts = append([]restrict.Option{restrict.WithBaseURL(fake.BaseURL()), fastRetry}, opts...)
	c, err := kpayment.New(creds, opts...)
	require.NoError(t, err)
	return c, fake
}

func TestIntegrationBlockCustomer(t *testing.T) {
	t.Parallel()
	for _, creds := range []kpayment.Credentials{basicCreds, {Token: testToken}} {
		c, srv := newFake(t, creds)
		req := kpayment.BlockCustomerRequest{
			InvoiceGUID: "inv-1", CCLastFour: "0042", CCType: "MASTERCARD", CardHolder: "Zoë / Ltd",
			OnlinePayment: kpayment.Bool(true), SendBlockNotification: kpayment.Bool(false),
		}
		res, err := c.BlockCustomer(context.Background(), "cust 1?x", req)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, res.StatusCode)
		require.Empty(t, res.Warnings)

		got, ok := srv.LastBlock("cust 1?x")
		require.True(t, ok, "the fake received the unescaped UUID")
		require.Equal(t, kpaymenttest.Block{
			CustomerUUID: "cust 1?x", InvoiceGUID: "inv-1", CCLastFour: "0042", CCType: "MASTERCARD", CardHolder: "Zoë / Ltd",
			OnlinePayment: kpayment.Bool(true), SendBlockNotification: kpayment.Bool(false),
		}, got)
		require.Nil(t, got.ThreeDSAuthentication, "a nil boolean is absent on the wire")
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
		_, err := c.BlockCustomer(context.Background(), "c-1", kpayment.BlockCustomerRequest{})
		ae := requireAPIError(t, err, restrict.ErrUnauthorized)
		require.Equal(t, "100003", ae.Code)
		require.Equal(t, http.StatusUnauthorized, ae.StatusCode)
		require.Contains(t, ae.Message, "WRONG_CREDENTIAL")
		require.Equal(t, 1, ae.Attempts, "a 401 is not retried")
		require.NotContains(t, err.Error(), string(creds.Password+creds.Token))
		require.False(t, srv.Blocked("c-1"))
	}
}

func TestIntegrationStringCodedErrors(t *testing.T) {
	t.Parallel()
	for _, shape := range []kpaymenttest.ErrorShape{kpaymenttest.ShapeErrorName, kpaymenttest.ShapeErrorNumber} {
		c, srv := newFake(t, kpayment.Credentials{Username: testUser, Password: "nope"})
		srv.SetErrorShape(shape)
		_, err := c.BlockCustomer(context.Background(), "c-1", kpayment.BlockCustomerRequest{})
		ae := requireAPIError(t, err, restrict.ErrUnauthorized)
		require.Contains(t, []string{"WRONG_CREDENTIAL", "100003"}, ae.Code)
		require.Contains(t, ae.Message, "WRONG_CREDENTIAL")

		srv.Reject(http.StatusForbidden, kpaymenttest.CodeInvalidScopeDealer)
		c2, err := kpayment.New(basicCreds, restrict.WithBaseURL(srv.BaseURL()))
		require.NoError(t, err)
		_, err = c2.BlockCustomer(context.Background(), "c-1", kpayment.BlockCustomerRequest{})
		requireAPIError(t, err, restrict.ErrForbidden)
	}
}

func TestIntegrationRestrict(t *testing.T) {
	t.Parallel()
	c, srv := newFake(t, basicCreds)
	srv.SetWarnings(kpaymenttest.Warning{Code: kpaymenttest.CodeNoPreferredDealer, Description: "no preferred dealer"})
	res, err := c.Restrict(context.Background(), restrict.Target{ID: "c-9", Reason: "fraud"})
	require.NoError(t, err)
	require.Equal(t, restrict.StateRestricted, res.State)
	require.Equal(t, restrict.ActionBlock, res.Action)
	got, ok := srv.LastBlock("c-9")
	require.True(t, ok)
	require.Equal(t, kpayment.Bool(true), got.OnlinePayment)

	// Blocking twice is harmless.
	_, err = c.Restrict(context.Background(), restrict.Target{ID: "c-9"})
	require.NoError(t, err)
	require.Equal(t, 2, srv.BlockCalls())

	before := srv.Requests()
	_, err = c.Lift(context.Background(), restrict.Target{ID: "c-9"})
	require.ErrorIs(t, err, restrict.ErrUnsupported)
	require.Equal(t, before, srv.Requests(), "Lift sends nothing")
	require.True(t, srv.Blocked("c-9"))
}

func TestIntegrationWarnings(t *testing.T) {
	t.Parallel()
	c, srv := newFake(t, basicCreds)
	srv.SetWarnings(kpaymenttest.Warning{Code: kpaymenttest.CodeNoPreferredDealer, Message: "m", Description: "d"})
	res, err := c.BlockCustomer(context.Background(), "c-1", kpayment.BlockCustomerRequest{})
	require.NoError(t, err)
	require.Equal(t, []kpayment.Warning{{Code: "150000", Title: "NO_PREFERRED_DEALER_ID", Message: "m", Description: "d"}}, res.Warnings)
}

func TestIntegrationFaults(t *testing.T) {
	t.Parallel()
	t.Run("503 twice then success", func(t *testing.T) {
		t.Parallel()
		c, srv := newFake(t, basicCreds)
		srv.Inject(restricttest.Fault{Status: 503, Times: 2})
		res, err := c.BlockCustomer(context.Background(), "c-1", kpayment.BlockCustomerRequest{})
		require.NoError(t, err)
		require.Equal(t, 3, res.Attempts)
		require.Equal(t, 3, srv.Requests())
		require.True(t, srv.Blocked("c-1"))
	})
	t.Run("answer lost mid-way is retried", func(t *testing.T) {
		t.Parallel()
		c, srv := newFake(t, basicCreds)
		srv.Inject(restricttest.Fault{Status: 200, Body: `{"warnings":[]}`, Reset: true, Times: 1})
		res, err := c.BlockCustomer(context.Background(), "c-1", kpayment.BlockCustomerRequest{})
		require.NoError(t, err)
		require.Equal(t, 2, res.Attempts)
	})
	t.Run("long Retry-After is reported, not slept", func(t *testing.T) {
		t.Parallel()
		c, srv := newFake(t, basicCreds)
		srv.Inject(restricttest.Fault{Status: 429, Header: restricttest.RetryAfter(120)})
		start := time.Now()
		_, err := c.BlockCustomer(context.Background(), "c-1", kpayment.BlockCustomerRequest{})
		ae := requireAPIError(t, err, restrict.ErrRateLimited)
		require.Equal(t, 120*time.Second, ae.RetryAfter)
		require.Less(t, time.Since(start), 5*time.Second)
		require.Equal(t, 1, srv.Requests())
	})
	t.Run("malformed success body", func(t *testing.T) {
		t.Parallel()
		c, srv := newFake(t, basicCreds)
		srv.Inject(restricttest.Fault{Status: 200, Body: `{"warn`})
		_, err := c.BlockCustomer(context.Background(), "c-1", kpayment.BlockCustomerRequest{})
		requireAPIError(t, err, restrict.ErrUnavailable)
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
		_, err := c.BlockCustomer(ctx, "c-1", kpayment.BlockCustomerRequest{})
		require.ErrorIs(t, err, context.DeadlineExceeded)
	})
	t.Run("provider error as a fault body", func(t *testing.T) {
		t.Parallel()
		c, srv := newFake(t, basicCreds)
		srv.Inject(restricttest.Fault{Status: 400, ContentType: "*/*", Body: `{"errors":[{"errorCode":100006,"errorTitle":"INVALID_REQUEST_DATA"}]}`})
		_, err := c.BlockCustomer(context.Background(), "c-1", kpayment.BlockCustomerRequest{})
		ae := requireAPIError(t, err, restrict.ErrInvalidRequest)
		require.Equal(t, "100006", ae.Code)
	})
}

func TestIntegrationConcurrent(t *testing.T) {
	t.Parallel()
	c, srv := newFake(t, basicCreds)
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for i := 0; i < 32; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, err := c.Restrict(context.Background(), restrict.Target{ID: fmt.Sprintf("c-%d", i)})
			errs <- err
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.Equal(t, 32, srv.BlockCalls())
	for i := 0; i < 32; i++ {
		require.True(t, srv.Blocked(fmt.Sprintf("c-%d", i)))
	}
}
