// Package customerv2 is a client for the KunaCore customer API v2 (Kuna,
// Ukraine): suspend, find, read, create and update customers.
//
// Docs: https://docs.kunacore.io/docs/how-to-call-private-endpoints
//
// KunaCore publishes no host in its docs (they write BASE_URL), so New
// requires restrict.WithBaseURL:
//
//	c, err := customerv2.New(customerv2.Credentials{APIKey: "..."},
//		restrict.WithBaseURL("https://kunacore.example"))
//	if err != nil { ... }
//	res, err := c.Restrict(ctx, restrict.Target{ID: customerID})
//
// Every call is a POST with a JSON body, so every ID, even a lone one,
// travels in a request struct: Suspend(ctx, SuspendRequest{ID: id}).
//
// # Auth
//
// The credentials choose the mode. With an APIKey, every call sends the
// header api-key [C]. With MerchantID, Email and Password the client logs
// in (POST /v2/auth/login with header merchant_id [C] and body {"email",
// "password"} [I]), caches the JWT from data.accessToken [C] and sends it
// as Authorization: Bearer. It logs in again a minute before the JWT's exp
// (read from the token, by the client's clock, not verified), and once more
// when a call is refused as unauthorized, by HTTP 401 or by a NestJS 401
// body inside an HTTP 200; concurrent callers share one login. A refused
// login is an error matching restrict.ErrUnauthorized and is not repeated.
//
// # Restrict, Lift and Status
//
// Restrict, Status and CheckTargetID accept a KunaCore customer ID, which
// KunaCore's docs give as a UUID; anything else is refused before sending.
//
// Restrict suspends the customer (POST /v2/customer/suspend): the customer
// and its wallet can make no further financial or non-financial action
// [C]. Restricting a customer suspended already succeeds: KunaCore does
// not document that case, and an answer that says "already suspended" is
// taken as success [I].
//
// In KunaCore's docs suspension is one-way: no endpoint undoes it, so Lift
// returns an error matching restrict.ErrUnsupported and sends nothing.
// (Update can set a wallet Active, Blocked or Suspicious, but the docs do
// not name the field for it.)
//
// Status reads the customer through POST /v2/customer/details: Suspended
// is restricted and Active is active [C]; a wallet Blocked or Suspicious
// is read as restricted too [I].
//
// # Errors
//
// Answers are enveloped as {"data": ...} [C]. Failures are inferred to be
// NestJS bodies {"statusCode", "message", "error"} [I], classed by status:
// 400 restrict.ErrInvalidRequest (with class-validator's messages filed
// under APIError.Fields), 401 ErrUnauthorized, 403 ErrForbidden, 404
// ErrNotFound, 409 ErrConflict; such a body is an error also with HTTP
// 200. KunaCore sends no error code: "error" is only the status's reason
// phrase, so APIError.Code is always empty. A 404 without statusCode, or
// NestJS's "Cannot POST /…", is a wrong address (ErrInvalidRequest), not a
// missing customer. A "success": false, like a suspension's answer without
// "success": true, is an error matching ErrConflict.
// No error envelope, code list or rate limit is documented.
//
// The optional message-level encryption (JWE) mode is not supported.
//
// The package customerv2test is a fake KunaCore for tests.
package customerv2
