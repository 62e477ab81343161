package cryptomus_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/cryptomus"
	"github.com/restrictkit/restrict/cryptomus/cryptomustest"
	"github.com/restrictkit/restrict/restricttest"
)

const (
	merchantID = "8b03432e-385b-4670-8d06-064591096795"
	paymentKey = "test-payment-key"
)

var (
	creds     = cryptomus.Credentials{MerchantID: merchantID, PaymentKey: paymentKey}
	fastRetry = restrict.WithRetry(restrict.RetryPolicy{MaxAttempts: 3, MinWait: time.Millisecond, MaxWait: 10 * time.Millisecond})
)

// newFake starts a fake Cryptomus and a client of it; both end with the
// test.
func newFake(t *testing.T, opts ...restrict.Option) (*cryptomus.Client, *cryptomustest.Server) {
	t.Helper()
	srv := cryptomustest.NewServer(creds)
	t.Cleanup(srv.Close)
	opts = append([]restrict.Option{restrict.WithBaseURL(srv.BaseURL())}, opts...)
	c, err := cryptomus.New(creds, opts...)
	require.NoError(t, err)
	return c, srv
}

func restrictFault(body string) restricttest.Fault {
	return restricttest.Fault{Status: 200, Body: body, ContentType: "application/json", Times: 1}
}

const refundAddress = "TK8Qa2qXnF3rBrSzrHgCHWvv8qXx5UbpYm"

// The whole life of a static wallet: create, create again (same wallet),
// block, refund, refund again (refused).
func TestWalletLifecycle(t *testing.T) {
	t.Parallel()
	c, srv := newFake(t)
	ctx := context.Background()

	w, err := c.CreateStaticWallet(ctx, cryptomus.CreateStaticWalletRequest{
		Currency: "USDT", Network: "tron", OrderID: "customer-7", URLCallback: "https://shop.example/hooks/cryptomus?ü=1",
	})
	require.NoError(t, err)
	require.NotEmpty(t, w.UUID)
	require.Equal(t, "USDT", w.Currency)
	again, err := c.CreateStaticWallet(ctx, cryptomus.CreateStaticWalletRequest{Currency: "USDT", Network: "tron", OrderID: "customer-7"})
	require.NoError(t, err)
	require.Equal(t, w.UUID, again.UUID, "a known order ID returns the existing wallet")
	stored, ok := srv.Wallet("customer-7")
	require.True(t, ok)
	require.Equal(t, "https://shop.example/hooks/cryptomus?ü=1", stored.URLCallback)

	// Funds arrive (seeded), then the wallet is blocked and refunded.
	srv.AddWallet(cryptomustest.Wallet{UUID: w.UUID, WalletUUID: w.WalletUUID, OrderID: "customer-7", Address: w.Address, Balance: "10.00", Commission: "0.50"})
	b, err := c.BlockAddress(ctx, cryptomus.BlockAddressRequest{OrderID: "customer-7"})
	require.NoError(t, err)
	require.Equal(t, w.UUID, b.UUID)
	require.Equal(t, cryptomus.WalletStatusBlocked, b.Status)

	r, err := c.RefundBlockedAddress(ctx, cryptomus.RefundBlockedAddressRequest{UUID: w.UUID, Address: refundAddress})
	require.NoError(t, err)
	require.Equal(t, "0.50", r.Commission)
	require.Equal(t, "9.50", r.Amount)
	stored, _ = srv.Wallet(w.UUID)
	require.True(t, stored.Refunded)
	require.Equal(t, refundAddress, stored.RefundAddress)

	_, err = c.RefundBlockedAddress(ctx, cryptomus.RefundBlockedAddressRequest{OrderID: "customer-7", Address: refundAddress})
	require.ErrorIs(t, err, restrict.ErrConflict)
	var ae *restrict.APIError
	require.True(t, errors.As(err, &ae))
	require.Equal(t, "You can withdraw only once", ae.Message)
	require.Equal(t, "RefundBlockedAddress", ae.Operation)
}

func TestRefundUnknownWallet(t *testing.T) {
	t.Parallel()
	c, _ := newFake(t)
	_, err := c.RefundBlockedAddress(context.Background(), cryptomus.RefundBlockedAddressRequest{OrderID: "nope", Address: refundAddress})
	require.ErrorIs(t, err, restrict.ErrNotFound)
}

func TestWrongKeyGetsInvalidSign(t *testing.T) {
	t.Parallel()
	_, srv := newFake(t)
	for _, creds := range []cryptomus.Credentials{
		{MerchantID: merchantID, PaymentKey: "wrong-key"},
		{MerchantID: "another-merchant", PaymentKey: paymentKey},
	} {
		c, err := cryptomus.New(creds, restrict.WithBaseURL(srv.BaseURL()), fastRetry)
		require.NoError(t, err)
		_, err = c.BlockAddress(context.Background(), cryptomus.BlockAddressRequest{OrderID: "x"})
		require.ErrorIs(t, err, restrict.ErrUnauthorized)
		var ae *restrict.APIError
		require.True(t, errors.As(err, &ae))
		require.Equal(t, 401, ae.StatusCode)
		require.Equal(t, "Invalid Sign.", ae.Message)
		require.Equal(t, 1, ae.Attempts, "a refused signature is not retried")
		require.NotContains(t, err.Error(), "wrong-key")
	}
}

func TestRetriesAgainstFake(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("block retried on 503", func(t *testing.T) {
		t.Parallel()
		c, srv := newFake(t, fastRetry)
		w := srv.AddWallet(cryptomustest.Wallet{})
		srv.Inject(restricttest.Fault{Status: 503, Times: 2})
		res, err := c.BlockAddress(ctx, cryptomus.BlockAddressRequest{UUID: w.UUID})
		require.NoError(t, err)
		require.Equal(t, 3, res.Attempts)
		require.Equal(t, 3, srv.Requests())
	})
	t.Run("refund not retried on 500", func(t *testing.T) {
		t.Parallel()
		c, srv := newFake(t, fastRetry)
		w := srv.AddWallet(cryptomustest.Wallet{Status: cryptomus.WalletStatusBlocked, Balance: "1.00"})
		srv.Inject(restricttest.Fault{Status: 500, Body: `{"message":"Server error, #1","code":500,"error":null}`, Times: 1})
		_, err := c.RefundBlockedAddress(ctx, cryptomus.RefundBlockedAddressRequest{UUID: w.UUID, Address: refundAddress})
		require.ErrorIs(t, err, restrict.ErrUnavailable)
		var ae *restrict.APIError
		require.True(t, errors.As(err, &ae))
		require.Equal(t, 1, ae.Attempts)
		require.Empty(t, ae.Code)
		require.Equal(t, 1, srv.Requests())
	})
	t.Run("refund not retried on 503 once connected", func(t *testing.T) {
		t.Parallel()
		c, srv := newFake(t, fastRetry)
		w := srv.AddWallet(cryptomustest.Wallet{Status: cryptomus.WalletStatusBlocked, Balance: "1.00"})
		srv.Inject(restricttest.Fault{Status: 503, Times: 1})
		_, err := c.RefundBlockedAddress(ctx, cryptomus.RefundBlockedAddressRequest{UUID: w.UUID, Address: refundAddress})
		require.ErrorIs(t, err, restrict.ErrUnavailable)
		require.Equal(t, 1, srv.Requests())
		got, _ := srv.Wallet(w.UUID)
		require.False(t, got.Refunded)
	})
	t.Run("refund retried on 429", func(t *testing.T) {
		t.Parallel()
		c, srv := newFake(t, fastRetry)
		w := srv.AddWallet(cryptomustest.Wallet{Status: cryptomus.WalletStatusBlocked, Balance: "1.00"})
		srv.Inject(restricttest.Fault{Status: 429, Header: restricttest.RetryAfter(0), Times: 1})
		res, err := c.RefundBlockedAddress(ctx, cryptomus.RefundBlockedAddressRequest{UUID: w.UUID, Address: refundAddress})
		require.NoError(t, err)
		require.Equal(t, 2, res.Attempts)
		require.Equal(t, "1.00", res.Amount)
	})
	t.Run("long Retry-After is reported, not slept", func(t *testing.T) {
		t.Parallel()
		c, srv := newFake(t, fastRetry)
		srv.Inject(restricttest.Fault{Status: 429, Header: restricttest.RetryAfter(3600), Body: `{"state":1,"message":"Too Many Attempts."}`})
		_, err := c.BlockAddress(ctx, cryptomus.BlockAddressRequest{OrderID: "x"})
		require.ErrorIs(t, err, restrict.ErrRateLimited)
		var ae *restrict.APIError
		require.True(t, errors.As(err, &ae))
		require.Equal(t, time.Hour, ae.RetryAfter)
		require.Equal(t, 1, srv.Requests())
	})
	t.Run("block retried after a cut answer", func(t *testing.T) {
		t.Parallel()
		c, srv := newFake(t, fastRetry)
		w := srv.AddWallet(cryptomustest.Wallet{})
		srv.Inject(restricttest.Fault{Status: 200, Body: `{"state":0,"result":{"uuid":"x","status":"blocked"}}`, Reset: true, Times: 1})
		res, err := c.BlockAddress(ctx, cryptomus.BlockAddressRequest{UUID: w.UUID})
		require.NoError(t, err)
		require.Equal(t, w.UUID, res.UUID)
		require.Equal(t, 2, res.Attempts)
	})
	t.Run("malformed body", func(t *testing.T) {
		t.Parallel()
		c, srv := newFake(t, fastRetry)
		srv.Inject(restricttest.Fault{Status: 200, Body: `{"state":0,"result":`, Times: 1})
		_, err := c.BlockAddress(ctx, cryptomus.BlockAddressRequest{OrderID: "x"})
		require.ErrorIs(t, err, restrict.ErrUnavailable)
		var ae *restrict.APIError
		require.True(t, errors.As(err, &ae))
		require.Equal(t, 200, ae.StatusCode)
		require.Contains(t, ae.Message, "unreadable answer")
	})
	t.Run("slow answer ends with the context", func(t *testing.T) {
		t.Parallel()
		c, srv := newFake(t, fastRetry)
		srv.Inject(restricttest.Fault{Delay: 200 * time.Millisecond, Times: 1})
		tctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
		defer cancel()
		_, err := c.BlockAddress(tctx, cryptomus.BlockAddressRequest{OrderID: "x"})
		require.ErrorIs(t, err, context.DeadlineExceeded)
	})
	t.Run("200 with state 1", func(t *testing.T) {
		t.Parallel()
		c, srv := newFake(t, fastRetry)
		srv.Inject(restrictFault(`{"state":1,"message":"Not found"}`))
		_, err := c.BlockAddress(ctx, cryptomus.BlockAddressRequest{OrderID: "x"})
		require.ErrorIs(t, err, restrict.ErrNotFound)
	})
}

func TestValidationAgainstFake(t *testing.T) {
	t.Parallel()
	c, srv := newFake(t)
	// Sent as raw bytes so the fake's own validation answers: the client
	// refuses the same input locally.
	_, err := c.CreateStaticWallet(context.Background(), cryptomus.CreateStaticWalletRequest{Currency: "USDT", Network: "tron", OrderID: "o"})
	require.NoError(t, err)
	require.Equal(t, 1, srv.Requests())

	srv.Inject(restricttest.Fault{Status: 422, Body: `{"state":1,"errors":{"uuid":["validation.required_without"],"order_id":["validation.required_without"]}}`, Times: 1})
	_, err = c.BlockAddress(context.Background(), cryptomus.BlockAddressRequest{OrderID: "o"})
	require.ErrorIs(t, err, restrict.ErrInvalidRequest)
	var ae *restrict.APIError
	require.True(t, errors.As(err, &ae))
	require.Equal(t, map[string][]string{"uuid": {"validation.required_without"}, "order_id": {"validation.required_without"}}, ae.Fields)
	require.Equal(t, 422, ae.StatusCode)
}

func TestConcurrentClientsAgainstFake(t *testing.T) {
	t.Parallel()
	c, srv := newFake(t)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := 0; i < 16; i++ {
		w := srv.AddWallet(cryptomustest.Wallet{})
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.Restrict(context.Background(), restrict.Target{ID: w.UUID})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.Equal(t, 16, srv.Requests())
}

// Logs show method, host, path and status, never the key or signature.
func TestLogsCarryNoSecret(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(&lockedWriter{w: &buf, mu: &mu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, srv := newFake(t, restrict.WithLogger(logger))
	w := srv.AddWallet(cryptomustest.Wallet{})
	_, err := c.Restrict(context.Background(), restrict.Target{ID: w.UUID, Reason: "chargeback fraud"})
	require.NoError(t, err)
	mu.Lock()
	out := buf.String()
	mu.Unlock()
	require.Contains(t, out, "/v1/wallet/block-address")
	require.Contains(t, out, "chargeback fraud")
	require.NotContains(t, out, paymentKey)
	require.False(t, strings.Contains(strings.ToLower(out), "sign="), out)
}

type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
