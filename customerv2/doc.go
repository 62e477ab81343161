// Package customerv2 is a client for the KunaCore customer API v2 (Kuna,
// Ukraine): suspend, find, details, create and update customers.
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
// # Auth
//
// The credentials choose the mode. With an APIKey, every call sends the
// header api-key. With MerchantID, Email and Password the client logs in
// (POST /v2/auth/login with header merchant_id and body {"email",
// "password"}), caches the JWT from data.accessToken and sends it as
// Authorization: Bearer. It logs in again a minute before the JWT's exp
// (read from the token, by the client's clock, not verified), and once more
// when a call is answered 401; concurrent callers share one login. A refused
// login is an error matching restrict.ErrUnauthorized and is not repeated.
//
// # Restrict and Lift
//
// Restrict suspends the customer (POST /v2/customer/suspend): the customer
// and its wallet can make no further financial or non-financial action.
// In KunaCore's docs suspension is one-way: no endpoint undoes it, so Lift
// returns an error matching restrict.ErrUnsupported and sends nothing.
// (Update can set a wallet Active, Blocked or Suspicious, but the docs do
// not name the field for it.)
//
// # Errors
//
// Answers are enveloped as {"data": ...}; "success": false is an error.
// Failures are NestJS bodies {"statusCode", "message", "error"}, classed by
// status: 400 restrict.ErrInvalidRequest, 401 ErrUnauthorized, 403
// ErrForbidden, 404 ErrNotFound, 409 ErrConflict. The optional
// message-level encryption (JWE) mode is not supported.
//
// The package customerv2test is a fake KunaCore for tests.
package customerv2
