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

	// Restricting a restricted wallet succeeds with StateRestricted: the
	// fake answers as Cryptomus is inferred to, with the same success.
	res, err = c.Restrict(context.Background(), restrict.Target{ID: "order-2"})
	require.NoError(t, err)
	require.Equal(t, restrict.StateRestricted, res.State)
	require.Equal(t, 3, srv.Requests())
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

// Cryptomus has no call that reads a wallet's block state: Status is
// unsupported and sends nothing, whatever the target.
func TestStatusUnsupported(t *testing.T) {
	t.Parallel()
	c, srv := newFake(t)
	w := srv.AddWallet(cryptomustest.Wallet{Status: cryptomus.WalletStatusBlocked})
	for _, id := range []string{w.UUID, "order-1", "", "a/b"} {
		res, err := c.Status(context.Background(), restrict.Target{ID: id})
		require.Nil(t, res, id)
		require.ErrorIs(t, err, restrict.ErrUnsupported, id)
		require.ErrorIs(t, err, errors.ErrUnsupported, id)
		var ae *restrict.APIError
		require.ErrorAs(t, err, &ae, id)
		require.Equal(t, "Status", ae.Operation, id)
		require.Equal(t, cryptomus.Provider, ae.Provider, id)
		require.Empty(t, ae.Code, id)
		require.Zero(t, ae.Attempts, id)
	}
	require.Zero(t, srv.Requests())

	var _ restrict.Checker = c
	rep := restrict.StatusAll(context.Background(), restrict.Binding{Name: "cryptomus", Restrictor: c, Target: restrict.Target{ID: w.UUID}})
	require.Len(t, rep.Unsupported(), 1)
	require.NoError(t, rep.Err())
	require.Zero(t, srv.Requests())
}

func TestCheckTargetID(t *testing.T) {
	t.Parallel()
	for _, id := range []string{
		"fcc40793-39f9-4fa9-85b2-93148039a72b",
		"FCC40793-39F9-4FA9-85B2-93148039A72B",
		"o",
		"order-17_b",
		"заказ-1",
		"01234567890123456789012345678901", // 32
	} {
		require.NoError(t, cryptomus.CheckTargetID(id), id)
	}
	for _, id := range []string{
		"", " ", "order 17", "a/b", "../admin", `a\b`, "x\x00y", "order.17",
		"012345678901234567890123456789012",   // 33, and not a UUID
		"fcc40793-39f9-4fa9-85b2-93148039a72", // 35: neither
	} {
		err := cryptomus.CheckTargetID(id)
		require.ErrorIs(t, err, restrict.ErrInvalidRequest, "%q", id)
		var ae *restrict.APIError
		require.ErrorAs(t, err, &ae)
		require.Equal(t, "CheckTargetID", ae.Operation)
		require.Contains(t, ae.Fields, "ID")
		require.Len(t, ae.Fields, 1)
		require.Zero(t, ae.Attempts)
	}
}

// Restrict applies CheckTargetID first and reports its own operation.
func TestRestrictAppliesCheckTargetID(t *testing.T) {
	t.Parallel()
	c, srv := newFake(t)
	for _, id := range []string{"", "a/b", "order 17", "012345678901234567890123456789012"} {
		want := cryptomus.CheckTargetID(id)
		require.Error(t, want, id)
		_, err := c.Restrict(context.Background(), restrict.Target{ID: id})
		var ae *restrict.APIError
		require.ErrorAs(t, err, &ae, id)
		require.Equal(t, "Restrict", ae.Operation, id)
		require.Equal(t, want.(*restrict.APIError).Fields, ae.Fields, id)
	}
	require.Zero(t, srv.Requests())
}
