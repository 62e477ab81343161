// Package cryptomus is a client for Cryptomus, a crypto payment gateway, as
// far as restricting a customer goes: create a static wallet, block it,
// refund what it held, and verify the webhooks Cryptomus posts.
//
// Documentation: https://doc.cryptomus.com/en/business/payments/block-wallet
//
// # Authentication
//
// Every call is a POST of a JSON body to https://api.cryptomus.com with two
// headers: merchant (the merchant UUID) and sign, the lowercase hex MD5 of
// the standard base64 of the body followed by the payment key. The body is
// encoded once, and those exact bytes are both signed and sent, on every
// attempt.
//
// # Restrict, Lift and Status
//
// Restrict blocks a static wallet with BlockAddress. It accepts the
// wallet's uuid (a UUID), or its order ID of 1 to 32 letters, digits, "-"
// or "_" (Laravel's alpha_dash: letters of any script); CheckTargetID
// applies that rule. Restricting a wallet that is blocked already succeeds
// with StateRestricted: the docs do not say what a second block answers,
// and it is inferred to be the same success (state 0, status "blocked").
//
// Lift and Status fail with an error matching restrict.ErrUnsupported and
// send nothing: Cryptomus documents no call that unblocks a static wallet,
// and none that reads its block state.
//
// # Errors
//
// Cryptomus has no error codes, only messages, so APIError.Code is always
// empty; the "code":500 of its 500 handler echoes the HTTP status. A 200
// with state 1 is an error. "Not found" matches restrict.ErrNotFound, "You
// can withdraw only once" restrict.ErrConflict, "Invalid Sign."
// restrict.ErrUnauthorized; Laravel's validation answers (HTTP 422, rule
// keys such as "validation.required_without" per field) match
// restrict.ErrInvalidRequest with APIError.Fields set. A 404 without
// Cryptomus' state is the web server's, a wrong address, and matches
// restrict.ErrInvalidRequest.
//
// # Retries
//
// A plain BlockAddress is idempotent and retried on transport errors, 429,
// 500, 502, 503 and 504. BlockAddress with IsForceRefund triggers a
// one-time refund, RefundBlockedAddress works once per wallet and
// CreateStaticWallet creates, so these are retried only on 429 or when the
// request never left.
//
// # Doubts
//
// The block and refund pages disagree on which identifier wins when both
// uuid and order_id are sent, so this package refuses to send both. The
// refund page's message for a wallet blocked with is_force_refund is cut
// short in the docs. No rate limits and no sandbox host are documented.
//
// # Example
//
//	c, err := cryptomus.New(cryptomus.Credentials{
//		MerchantID: "8b03432e-385b-4670-8d06-064591096795",
//		PaymentKey: restrict.Secret(os.Getenv("CRYPTOMUS_PAYMENT_KEY")),
//	})
//	if err != nil {
//		return err
//	}
//	res, err := c.Restrict(ctx, restrict.Target{ID: "order-42"})
//	if errors.Is(err, restrict.ErrNotFound) {
//		// no static wallet has that order ID
//	}
//
// The package cryptomustest has a fake Cryptomus for tests.
package cryptomus
