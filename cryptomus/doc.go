// Package cryptomus is a client for Cryptomus, a crypto payment gateway, as
// far as restricting a customer goes: create a static wallet, block it,
// refund what it held, and verify the webhooks Cryptomus posts.
//
// Documentation: https://doc.cryptomus.com/en/business/payments/block-wallet
//
// # Authentication
//
// Every call is a POST of a JSON body with two headers: merchant (the
// merchant UUID) and sign, the lowercase hex MD5 of the standard base64 of
// the body followed by the payment key. The body is encoded once, and those
// exact bytes are both signed and sent, on every attempt.
//
// # Restrictor
//
// Restrict blocks a static wallet, by UUID or order ID (see
// Client.Restrict). Lift fails with restrict.ErrUnsupported and sends
// nothing: Cryptomus has no unblock.
//
// # Retries
//
// BlockAddress is idempotent and retried on transport errors, 429, 500,
// 502, 503 and 504. RefundBlockedAddress works once per wallet and
// CreateStaticWallet creates, so both are retried only on 429 or when the
// request never left.
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
//	res, err := c.BlockAddress(ctx, cryptomus.BlockAddressRequest{OrderID: "order-42"})
//	if errors.Is(err, restrict.ErrNotFound) {
//		// no static wallet has that order ID
//	}
//
// The package cryptomustest has a fake Cryptomus for tests.
package cryptomus
