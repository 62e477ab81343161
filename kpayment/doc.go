// Package kpayment is a client for the myKaarma Payments API, the payment
// service of myKaarma's dealership software, and its restrict.Restrictor and
// restrict.Checker: Restrict blocks a customer from online payment.
//
// API reference:
// https://docs.mykaarma.com/API_references/payments/API/API_reference/mykaarma-payments-api
//
//	c, err := kpayment.New(kpayment.Credentials{Username: "subscriber", Password: "..."})
//	if err != nil {
//		return err
//	}
//	res, err := c.BlockCustomer(ctx, customerUUID, kpayment.BlockCustomerRequest{
//		OnlinePayment:         restrict.Ptr(true),
//		SendBlockNotification: restrict.Ptr(false),
//	})
//
// # Authentication
//
// myKaarma issues ServiceSubscriber credentials on request; they are sent as
// HTTP Basic on every call. For resources that myKaarma has moved to OAuth2,
// give Credentials.Token instead (an access token obtained elsewhere: the
// token endpoint is not published) and it is sent as Authorization: Bearer.
// Neither the password, its Basic encoding, nor the token ever appears in an
// error, a result or a log line.
//
// # Restrict, Lift and Status
//
// Restrict takes a myKaarma customer UUID (8-4-4-4-12 hexadecimal digits;
// see CheckTargetID) and calls BlockCustomer with {"onlinePayment":true} as
// the body, or the body set with WithRestrictRequest. The answer's State is
// restrict.StateRestricted, also for a customer blocked already: the docs
// say nothing of a repeated block, and we read it as harmless (inferred).
//
// myKaarma publishes no call that unblocks a customer and none that reads
// whether one is blocked, so Lift and Status return an error matching
// restrict.ErrUnsupported and send nothing, whatever the ID.
//
// # Errors
//
// The Payments API answers errors in two shapes, a list of errors with
// numeric codes and a single error with a string code; both are decoded,
// whatever the Content-Type (myKaarma declares its errors as */*). Codes map
// onto the restrict sentinels: credential and token codes to
// ErrUnauthorized, ACCESS_FORBIDDEN and INVALID_SCOPE codes to ErrForbidden,
// INVALID_REQUEST_DATA to ErrInvalidRequest, internal errors to
// ErrUnavailable, anything else by HTTP status. APIError.Code is the code as
// myKaarma sent it, a number or a name. myKaarma's own envelope with a 404
// matches ErrNotFound; any other 404 (Spring's default error page among
// them) means the base URL or path is wrong and matches ErrInvalidRequest.
// Warnings that come with an error are not kept: an APIError has no place
// for them.
//
// # Doubts
//
// The full URL joins the auth page's host with the endpoint page's base path
// "/payment" (inferred). The docs type customerUuid as a string and show no
// example of one. Which body fields are required is not documented; all are
// sent only when set. No rate limits are documented.
//
// The package kpaymenttest provides a fake myKaarma server for tests.
package kpayment
