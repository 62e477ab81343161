package cryptomus

import (
	"context"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/transport"
)

// Restrict blocks the static wallet t.ID with BlockAddress. The ID is the
// wallet's uuid (as CreateStaticWallet returns it, not its wallet_uuid)
// when it parses as a UUID, and its order ID otherwise: 1 to 32 letters,
// digits, "-" or "_" (see CheckTargetID). An order ID has at most 32
// characters and a UUID 36, so the two are never confused. Incoming
// payments are not force-refunded; call BlockAddress with IsForceRefund
// for that. Cryptomus has no field for t.Reason, so it is only logged, at
// Debug level.
//
// Restricting a wallet that is blocked already succeeds with
// StateRestricted: the docs do not say what a second block answers, and it
// is inferred to be the same state 0 with status "blocked". The Result's
// State is StateRestricted when Cryptomus answers "blocked", StateActive
// for "active", and StateUnknown otherwise.
//
// https://doc.cryptomus.com/en/business/payments/block-wallet
func (c *Client) Restrict(ctx context.Context, t restrict.Target) (*restrict.Result, error) {
	req, err := checkTarget("Restrict", t.ID)
	if err != nil {
		return nil, err
	}
	c.tc.LogTarget(ctx, "Restrict", t)
	res, err := c.BlockAddress(ctx, req)
	if err != nil {
		return nil, err
	}
	return result(restrict.ActionBlock, t.ID, stateOf(res.Status), res.Meta), nil
}

// Lift always fails with an error matching restrict.ErrUnsupported and
// sends nothing: Cryptomus documents no way to unblock a static wallet. As
// at every provider without a lift, the target is not even checked: no ID
// could make the call possible.
//
// https://doc.cryptomus.com/en/business/payments/block-wallet
func (c *Client) Lift(context.Context, restrict.Target) (*restrict.Result, error) {
	return nil, restrict.NewUnsupportedError(Provider, "Lift", "Cryptomus has no call to unblock a static wallet")
}

// Status always fails with an error matching restrict.ErrUnsupported and
// sends nothing: Cryptomus documents no call that reads a static wallet's
// block state. As with Lift, the target is not checked. BlockAddress
// reports the status after a block, and blocking again is harmless, so a
// caller that needs proof can Restrict again.
//
// https://doc.cryptomus.com/en/business/payments/block-wallet
func (c *Client) Status(context.Context, restrict.Target) (*restrict.Result, error) {
	return nil, restrict.NewUnsupportedError(Provider, "Status", "Cryptomus has no call that reads a static wallet's block state")
}

// CheckTargetID returns an error matching restrict.ErrInvalidRequest,
// naming the field "ID", unless id is an ID Restrict accepts: a static
// wallet's uuid (a UUID, in either case), or its order ID of 1 to 32
// letters, digits, "-" or "_" (Laravel's alpha_dash, so letters of any
// script). Restrict applies it before sending anything.
//
// https://doc.cryptomus.com/en/business/payments/block-wallet
func CheckTargetID(id string) error {
	_, err := checkTarget("CheckTargetID", id)
	return err
}

// checkTarget is CheckTargetID reporting the operation that applied it; it
// returns the wallet reference a block call sends for the ID.
func checkTarget(op, id string) (BlockAddressRequest, error) {
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

// result is the contract's Result of an operation on the target id.
func result(action restrict.Action, id string, state restrict.State, meta restrict.Meta) *restrict.Result {
	return &restrict.Result{Provider: Provider, Action: action, TargetID: id, State: state, Meta: meta}
}

// stateOf maps a wallet status to the contract's state; see Restrict.
func stateOf(s WalletStatus) restrict.State {
	switch s {
	case WalletStatusBlocked:
		return restrict.StateRestricted
	case WalletStatusActive:
		return restrict.StateActive
	}
	return restrict.StateUnknown
}
