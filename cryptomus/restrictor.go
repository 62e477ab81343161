package cryptomus

import (
	"context"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/transport"
)

// Restrict blocks the static wallet t.ID with BlockAddress. The ID is the
// wallet's UUID when it parses as one, and its order ID otherwise: an order
// ID has at most 32 characters and a UUID 36, so this is never ambiguous.
// Incoming payments are not force-refunded; call BlockAddress with
// IsForceRefund for that. Cryptomus has no field for t.Reason, so it is
// only logged, at Debug level.
//
// The Result's State is StateRestricted when Cryptomus answers "blocked",
// StateActive for "active", and StateUnknown otherwise.
//
// https://doc.cryptomus.com/en/business/payments/block-wallet
func (c *Client) Restrict(ctx context.Context, t restrict.Target) (*restrict.Result, error) {
	req, err := blockTarget("Restrict", t.ID)
	if err != nil {
		return nil, err
	}
	c.tc.LogTarget(ctx, "Restrict", t)
	res, err := c.BlockAddress(ctx, req)
	if err != nil {
		return nil, err
	}
	return &restrict.Result{
		Provider: Provider,
		Action:   restrict.ActionBlock,
		TargetID: t.ID,
		State:    walletState(res.Status),
		Meta:     res.Meta,
	}, nil
}

// Lift always fails with an error matching restrict.ErrUnsupported and
// sends nothing: Cryptomus documents no way to unblock a static wallet. As
// at every provider without a lift, the target is not even checked: no ID
// could make the call possible.
//
// https://doc.cryptomus.com/en/business/payments/block-wallet
func (c *Client) Lift(_ context.Context, _ restrict.Target) (*restrict.Result, error) {
	return nil, &restrict.APIError{
		Provider:  Provider,
		Operation: "Lift",
		Class:     restrict.ErrUnsupported,
		Message:   "Cryptomus has no call to unblock a static wallet",
	}
}

// blockTarget turns a Target ID into the wallet reference of a block call.
func blockTarget(op, id string) (BlockAddressRequest, error) {
	switch {
	case id == "":
		return BlockAddressRequest{}, restrict.NewFieldError(Provider, op, "ID", "is required")
	case transport.IsUUID(id):
		return BlockAddressRequest{UUID: id}, nil
	case alphaDash(id, 1, 32) != "":
		return BlockAddressRequest{}, restrict.NewFieldError(Provider, op, "ID",
			"must be a wallet UUID, or an order ID of 1 to 32 letters, digits, \"-\" or \"_\"")
	}
	return BlockAddressRequest{OrderID: id}, nil
}

func walletState(s WalletStatus) restrict.State {
	switch s {
	case WalletStatusBlocked:
		return restrict.StateRestricted
	case WalletStatusActive:
		return restrict.StateActive
	}
	return restrict.StateUnknown
}
