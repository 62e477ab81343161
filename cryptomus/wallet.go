package cryptomus

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"unicode"
	"unicode/utf8"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/transport"
)

// WalletStatus is a static wallet's status, as BlockAddress reports it.
type WalletStatus string

// The static wallet statuses Cryptomus documents on its block page. What
// in_active means is not explained there.
const (
	WalletStatusBlocked  WalletStatus = "blocked"
	WalletStatusActive   WalletStatus = "active"
	WalletStatusInActive WalletStatus = "in_active"
)

// BlockAddressRequest names the static wallet to block: exactly one of
// UUID and OrderID.
type BlockAddressRequest struct {
	// UUID is the static wallet's uuid, as CreateStaticWallet returns it
	// (not its wallet_uuid).
	UUID string `json:"uuid,omitempty"`
	// OrderID is the wallet's order ID: 1 to 32 letters, digits, "-" or
	// "_". Wallets may be created with longer order IDs (up to 100), but
	// this call only finds them by UUID.
	OrderID string `json:"order_id,omitempty"`
	// IsForceRefund refunds every incoming payment to its sender, once.
	// Left false it is not sent, which is Cryptomus' default. Set, it makes
	// the call non-idempotent: see BlockAddress.
	IsForceRefund bool `json:"is_force_refund,omitempty"`
}

// BlockAddressResult is what Cryptomus answered to a block: the wallet it
// blocked and the wallet's status after the call.
type BlockAddressResult struct {
	// UUID is the blocked wallet's uuid, also when it was named by order
	// ID.
	UUID string `json:"uuid"`
	// Status is "blocked" after a block that took effect.
	Status WalletStatus `json:"status"`
	restrict.Meta
}

// BlockAddress blocks a static wallet: further payments to it are not
// credited to the client's balance, and what it holds can be refunded once
// with RefundBlockedAddress. Cryptomus has no call to unblock it.
//
// A plain block is idempotent, so it is retried on 5xx and transport
// errors. The docs do not say what blocking a blocked wallet answers; it is
// inferred to be the same success, state 0 with status "blocked". With
// IsForceRefund the call also triggers Cryptomus' one-time refund of
// incoming payments, which must not be asked for twice: it is then sent
// again only where it provably never reached Cryptomus (a connection never
// made) or was refused with 429. After a timeout or 5xx its outcome is
// unknown, and Cryptomus has no call that reads it back; a plain block
// (IsForceRefund false) is safe to send again to make sure the wallet is
// blocked.
//
// https://doc.cryptomus.com/en/business/payments/block-wallet
func (c *Client) BlockAddress(ctx context.Context, req BlockAddressRequest) (*BlockAddressResult, error) {
	if err := walletRef("BlockAddress", req.UUID, req.OrderID); err != nil {
		return nil, err
	}
	return transport.Call[BlockAddressResult](ctx, c.tc, &transport.Operation{
		Name:   "BlockAddress",
		Method: http.MethodPost,
		Path:   "/v1/wallet/block-address",
		Body:   req,
		// The refund it triggers happens once; a second request while the
		// first may be under way must not be sent.
		Idempotent: !req.IsForceRefund,
	})
}

// RefundBlockedAddressRequest names a blocked static wallet, by exactly one
// of UUID and OrderID, and where to send its funds.
type RefundBlockedAddressRequest struct {
	// UUID is the static wallet's uuid.
	UUID string `json:"uuid,omitempty"`
	// OrderID is the wallet's order ID: 1 to 32 letters, digits, "-" or
	// "_".
	OrderID string `json:"order_id,omitempty"`
	// Address receives all the blocked funds: 10 to 128 letters, digits,
	// "-" or "_".
	Address string `json:"address"`
}

// RefundBlockedAddressResult is what a refund paid. Both amounts are the
// exact decimal strings Cryptomus sent.
type RefundBlockedAddressResult struct {
	// Commission is what Cryptomus kept.
	Commission string `json:"commission"`
	// Amount is what was sent to the address.
	Amount string `json:"amount"`
	restrict.Meta
}

// UnmarshalJSON keeps an amount sent as a JSON number as its literal, so a
// refund that was paid is never reported as an unreadable answer.
func (r *RefundBlockedAddressResult) UnmarshalJSON(b []byte) error {
	var raw struct {
		Commission lenient `json:"commission"`
		Amount     lenient `json:"amount"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	r.Commission, r.Amount = string(raw.Commission), string(raw.Amount)
	return nil
}

// RefundBlockedAddress sends all the funds of a blocked static wallet to
// one address. Cryptomus allows it once per wallet ("You can withdraw only
// once", which matches restrict.ErrConflict), so it is never retried once
// the request may have reached Cryptomus. After a timeout or 5xx the
// refund may have been made; calling again either makes it or is answered
// with that ErrConflict. A wallet blocked with IsForceRefund is refunded
// by Cryptomus itself and refuses this call (the docs cut that message
// short, so it matches restrict.ErrInvalidRequest).
//
// https://doc.cryptomus.com/business/payments/refundblocked
func (c *Client) RefundBlockedAddress(ctx context.Context, req RefundBlockedAddressRequest) (*RefundBlockedAddressResult, error) {
	if err := walletRef("RefundBlockedAddress", req.UUID, req.OrderID); err != nil {
		return nil, err
	}
	if p := alphaDash(req.Address, 10, 128); p != "" {
		return nil, restrict.NewFieldError(Provider, "RefundBlockedAddress", "address", p)
	}
	return transport.Call[RefundBlockedAddressResult](ctx, c.tc, &transport.Operation{
		Name:   "RefundBlockedAddress",
		Method: http.MethodPost,
		Path:   "/v1/wallet/blocked-address-refund",
		Body:   req,
	})
}

// CreateStaticWalletRequest describes a static wallet: an address in one
// currency and network, tied to the merchant's order ID.
type CreateStaticWalletRequest struct {
	// Currency is the currency code, "USDT".
	Currency string `json:"currency"`
	// Network is the blockchain network code, "tron".
	Network string `json:"network"`
	// OrderID is 1 to 100 letters, digits, "-" or "_", unique across the
	// merchant's invoices, static wallets and recurring payments.
	OrderID string `json:"order_id"`
	// URLCallback, optional, receives a webhook after each top-up: an
	// http or https URL of 6 to 255 characters.
	URLCallback string `json:"url_callback,omitempty"`
	// FromReferralCode, optional, connects the merchant to a referrer.
	FromReferralCode string `json:"from_referral_code,omitempty"`
}

// StaticWallet is a static wallet as CreateStaticWallet returns it.
type StaticWallet struct {
	// WalletUUID is the merchant wallet's UUID.
	WalletUUID string `json:"wallet_uuid"`
	// UUID is the wallet's UUID in its network: the one BlockAddress and
	// RefundBlockedAddress take.
	UUID     string `json:"uuid"`
	Address  string `json:"address"`
	Network  string `json:"network"`
	Currency string `json:"currency"`
	// URL links to the payment form.
	URL string `json:"url"`
	restrict.Meta
}

// CreateStaticWallet creates a static wallet. Cryptomus answers an order ID
// it already knows with the existing wallet instead of creating a second,
// so calling again with the same order ID is the caller's way to recover
// from a timeout. The client itself treats the call as a create and does
// not retry it once it may have arrived: the docs promise the lookup for
// invoices and wallets alike, not an identical answer, and say nothing of
// a retry racing the first attempt.
//
// https://doc.cryptomus.com/en/business/payments/creating-static
func (c *Client) CreateStaticWallet(ctx context.Context, req CreateStaticWalletRequest) (*StaticWallet, error) {
	const op = "CreateStaticWallet"
	switch {
	case req.Currency == "":
		return nil, restrict.NewFieldError(Provider, op, "currency", "is required")
	case req.Network == "":
		return nil, restrict.NewFieldError(Provider, op, "network", "is required")
	}
	if p := alphaDash(req.OrderID, 1, 100); p != "" {
		return nil, restrict.NewFieldError(Provider, op, "order_id", p)
	}
	if req.URLCallback != "" {
		if n := utf8.RuneCountInString(req.URLCallback); n < 6 || n > 255 {
			return nil, restrict.NewFieldError(Provider, op, "url_callback", "must be 6 to 255 characters long")
		}
		if !isHTTPURL(req.URLCallback) {
			return nil, restrict.NewFieldError(Provider, op, "url_callback", "must be an absolute http or https URL")
		}
	}
	return transport.Call[StaticWallet](ctx, c.tc, &transport.Operation{
		Name:   op,
		Method: http.MethodPost,
		Path:   "/v1/wallet",
		Body:   req,
	})
}

// alphaDash checks Laravel's alpha_dash rule with a length in characters,
// as Cryptomus' validator applies them: letters (marks included), digits,
// "-" and "_". Laravel's letters and digits are Unicode ones, so an order
// ID in Cyrillic is valid there and is not refused here. It returns the
// problem, or "".
func alphaDash(s string, minLen, maxLen int) string {
	n := utf8.RuneCountInString(s)
	switch {
	case n == 0:
		return "is required"
	case n < minLen || n > maxLen:
		return "must be " + strconv.Itoa(minLen) + " to " + strconv.Itoa(maxLen) + " characters long"
	}
	for _, r := range s {
		if r != '-' && r != '_' && !unicode.IsLetter(r) && !unicode.IsMark(r) && !unicode.IsNumber(r) {
			return "may hold only letters, digits, \"-\" and \"_\""
		}
	}
	return ""
}

// walletRef checks the wallet identifier of a block or refund call: exactly
// one of uuid and order_id. The docs disagree on which wins when both are
// sent (the block page says order_id, the refund page uuid), so both is
// refused rather than guessed.
func walletRef(op, uuid, orderID string) error {
	switch {
	case uuid == "" && orderID == "":
		return restrict.NewFieldError(Provider, op, "uuid", "or order_id is required")
	case uuid != "" && orderID != "":
		return restrict.NewFieldError(Provider, op, "uuid", "and order_id must not both be set: Cryptomus' docs disagree on which wins")
	case uuid != "" && !transport.IsUUID(uuid):
		return restrict.NewFieldError(Provider, op, "uuid", "must be a UUID")
	case orderID != "":
		if p := alphaDash(orderID, 1, 32); p != "" {
			return restrict.NewFieldError(Provider, op, "order_id", p)
		}
	}
	return nil
}

// isHTTPURL applies Laravel's url rule as far as it matters here: an
// absolute http or https URL with a host.
func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
