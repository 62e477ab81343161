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
// # Restrict, Lift and Status
//
// Target.ID is Calypso's customer ID, a UUID (CheckTargetID); a merchant's
// external ID is not accepted, GetCustomerByExternalID finds the customer
// behind one. Restrict blocks the customer (BlockCustomer), Lift unblocks
// it (UnblockCustomer) and Status reads it (GetCustomer); Result.State
// follows the blocked flag Calypso returns: true is StateRestricted, false
// StateActive.
//
// A blocked customer's addresses still receive deposits: Calypso credits
// them to the merchant and sends the webhook
// CUSTOMER_PURSE_FUNDS_RECEIVED_FOR_PURSE with the customer's blocked flag
// set (VerifyWebhook checks and decodes it).
//
// Restrict and Lift are idempotent: Calypso answers block and unblock with
// the customer, so a repeat reports the state the customer is in. That a
// repeat is accepted, rather than refused, is inferred; the docs are
// silent.
//
// # What the docs leave open
//
// The OpenAPI pages give the envelope of every request but not the
// payloads of customer/get, customer/external/get, customer/unblock,
// purse/get-all and address/get, nor the purse and address objects: their
// names follow the documented ones (customerId, externalId, purseId) and
// each is marked as inferred where it is declared. Whether a success is
// ever wrapped in an envelope is not documented either: an answer that
// lacks what its object always carries is refused as unreadable rather than
// read as, say, a customer who is not blocked. Errors are Calypso's
// PublicGatewayErrorResponse, {"errorCode":"004","message":"Not found"};
// APIError.Code is the errorCode. A 404 without one is a wrong base URL.
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
// tests and examples: pass its BaseURL to restrict.WithBaseURL.
package purse
