package cryptomus_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/cryptomus"
	"github.com/restrictkit/restrict/cryptomus/cryptomustest"
)

const (
	merchantID = "8b03432e-385b-4670-8d06-064591096795"
	paymentKey = "test-payment-key"
)

func newFake(t *testing.T, opts ...restrict.Option) (*cryptomus.Client, *cryptomustest.Server) {
	t.Helper()
	srv := cryptomustest.NewServer(merchantID, paymentKey)
	t.Cleanup(srv.Close)
	opts = append([]restrict.Option{restrict.WithBaseURL(srv.URL)}, opts...)
	c, err := cryptomus.New(cryptomus.Credentials{MerchantID: merchantID, PaymentKey: paymentKey}, opts...)
	require.NoError(t, err)
	return c, srv
}

func TestRestrictByUUIDAndOrderID(t *testing.T) {
	t.Parallel()
	c, srv := newFake(t)
	byUUID := srv.AddWallet(cryptomustest.Wallet{OrderID: "order-1"})
	byOrder := srv.AddWallet(cryptomustest.Wallet{OrderID: "order-2"})

	res, err := c.Restrict(context.Background(), restrict.Target{ID: byUUID.UUID, Reason: "fraud"})
	require.NoError(t, err)
	require.Equal(t, &restrict.Result{
		Provider: cryptomus.Provider, Action: restrict.ActionBlock, TargetID: byUUID.UUID, State: restrict.StateRestricted,
		Meta: restrict.Meta{StatusCode: 200, Attempts: 1},
	}, res)
	w, _ := srv.Wallet(byUUID.UUID)
	require.Equal(t, cryptomus.WalletStatusBlocked, w.Status)
	require.False(t, w.IsForceRefund, "Restrict never force-refunds")

	res, err = c.Restrict(context.Background(), restrict.Target{ID: "order-2"})
	require.NoError(t, err)
	require.Equal(t, restrict.StateRestricted, res.State)
	require.Equal(t, "order-2", res.TargetID)
	w, _ = srv.Wallet(byOrder.UUID)
	require.Equal(t, cryptomus.WalletStatusBlocked, w.Status)

	// Blocking again is harmless: the call is idempotent.
	res, err = c.Restrict(context.Background(), restrict.Target{ID: "order-2"})
	require.NoError(t, err)
	require.Equal(t, restrict.StateRestricted, res.State)
}

func TestRestrictErrors(t *testing.T) {
	t.Parallel()
	c, srv := newFake(t)

	_, err := c.Restrict(context.Background(), restrict.Target{ID: "no-such-order"})
	require.ErrorIs(t, err, restrict.ErrNotFound)
	var ae *restrict.APIError
	require.True(t, errors.As(err, &ae))
	require.Equal(t, 404, ae.StatusCode)
	require.Equal(t, "Not found", ae.Message)
	require.Equal(t, 1, srv.Requests())

	for _, id := range []string{"", "has space", "a/b", "0123456789012345678901234567890123"} {
		_, err := c.Restrict(context.Background(), restrict.Target{ID: id})
		require.ErrorIs(t, err, restrict.ErrInvalidRequest, id)
		require.True(t, errors.As(err, &ae))
		require.Contains(t, ae.Fields, "ID")
		require.Equal(t, "Restrict", ae.Operation)
	}
	require.Equal(t, 1, srv.Requests(), "invalid IDs are refused before sending")
}

func TestLiftUnsupported(t *testing.T) {
	t.Parallel()
	c, srv := newFake(t)
	w := srv.AddWallet(cryptomustest.Wallet{Status: cryptomus.WalletStatusBlocked})
	res, err := c.Lift(context.Background(), restrict.Target{ID: w.UUID})
	require.Nil(t, res)
	require.ErrorIs(t, err, restrict.ErrUnsupported)
	require.ErrorIs(t, err, errors.ErrUnsupported)
	var ae *restrict.APIError
	require.True(t, errors.As(err, &ae))
	require.Equal(t, "Lift", ae.Operation)
	require.Equal(t, cryptomus.Provider, ae.Provider)
	require.Zero(t, srv.Requests())
	got, _ := srv.Wallet(w.UUID)
	require.Equal(t, cryptomus.WalletStatusBlocked, got.Status)

	// No ID could make a lift possible, so none is checked.
	_, err = c.Lift(context.Background(), restrict.Target{})
	require.ErrorIs(t, err, restrict.ErrUnsupported)
	require.Zero(t, srv.Requests())
}

func TestRestrictStateFollowsStatus(t *testing.T) {
	t.Parallel()
	for status, want := range map[string]restrict.State{
		"blocked":   restrict.StateRestricted,
		"active":    restrict.StateActive,
		"in_active": restrict.StateUnknown,
		"":          restrict.StateUnknown,
	} {
		c, srv := newFake(t)
		srv.Inject(restrictFault(`{"state":0,"result":{"uuid":"u","status":"` + status + `"}}`))
		res, err := c.Restrict(context.Background(), restrict.Target{ID: "order-1"})
		require.NoError(t, err, status)
		require.Equal(t, want, res.State, status)
	}
}
