// Package kpayment is a client for the myKaarma Payments API, the payment
// service of myKaarma's dealership software, and its restrict.Restrictor:
// Restrict blocks a customer from online payment.
//
// API reference:
// https://docs.mykaarma.com/API_references/payments/API/API_reference/mykaarma-payments-api
//
//	c, err := kpayment.New(kpayment.Credentials{Username: "subscriber", Password: "..."})
//	if err != nil {
//		return err
//	}
//	res, err := c.BlockCustomer(ctx, customerUUID, kpayment.BlockCustomerRequest{
//		OnlinePayment:         kpayment.Bool(true),
//		SendBlockNotification: kpayment.Bool(false),
//	})
//
// # Authentication
//
// myKaarma issues ServiceSubscriber credentials on request; they are sent as
// HTTP Basic on every call. For resources that myKaarma has moved to OAuth2,
// give Credentials.Token instead (an access token obtained elsewhere: the
// token endpoint is not published) and it is sent as Authorization: Bearer.
// Neither the password nor the token ever appears in an error or a log line.
//
// # Restrict and Lift
//
// Restrict calls BlockCustomer with the target's ID as the customer UUID and
// {"onlinePayment":true} as the body, or the body set with
// WithRestrictRequest. The answer's State is restrict.StateRestricted.
// myKaarma publishes no way to unblock, so Lift returns an error matching
// restrict.ErrUnsupported and sends nothing.
//
// # Errors
//
// The Payments API answers errors in two shapes, a list of errors with
// numeric codes and a single error with a string code; both are decoded,
// whatever the Content-Type. Codes map onto the restrict sentinels:
// credential and token codes to ErrUnauthorized, ACCESS_FORBIDDEN and
// INVALID_SCOPE codes to ErrForbidden, INVALID_REQUEST_DATA to
// ErrInvalidRequest, internal errors to ErrUnavailable, anything else by
// HTTP status. APIError.Code is the code as myKaarma sent it.
//
// The package kpaymenttest provides a fake myKaarma server for tests.
package kpayment
