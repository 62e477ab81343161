// Package purse is a client of the Calypso Pay Customer Purse API: the
// customers of a merchant, their per-currency purses and deposit
// addresses, and the deposits they receive.
//
// Documentation: https://docs.calypso.finance/api-reference/customer-purse-api
// (the same spec is at https://docs.calypso.money/api-reference/customer-purse-api,
// with the host https://api.calypso.money).
//
// # Authentication
//
// Every call is a POST of {"account": ..., "timestamp": <unix ms>,
// "payload": {...}} with the headers Key (the public API key) and Sign, the
// lowercase hex HMAC-SHA512 of the exact body bytes keyed with the secret.
// The server refuses a timestamp more than three minutes from its clock, so
// the client dates and signs every attempt anew, retries included. When the
// server refuses a timestamp (errorCode 011) and its Date header shows that
// this machine's clock is more than a minute off, the client remembers the
// difference (see Client.ClockOffset) and sends the call once more.
//
// # Restrict and Lift
//
// Restrict blocks a customer (BlockCustomer) and Lift unblocks it
// (UnblockCustomer); Target.ID is Calypso's customer ID, and Result.State
// follows the "blocked" flag Calypso returns. A blocked customer's
// addresses still receive deposits: Calypso credits them to the merchant
// and sends the webhook CUSTOMER_PURSE_FUNDS_RECEIVED_FOR_PURSE with
// "blocked": true.
//
// # Example
//
//	c, err := purse.New(purse.Credentials{Account: "0x…", Key: "…", Secret: "…"})
//	if err != nil {
//		return err
//	}
//	res, err := c.Restrict(ctx, restrict.Target{ID: customerID, Reason: "chargeback"})
//	if errors.Is(err, restrict.ErrNotFound) {
//		// no such customer
//	}
//
// The fake in package pursetest serves the whole API over loopback for
// tests and examples.
package purse
