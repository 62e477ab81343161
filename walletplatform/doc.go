// Package walletplatform is a client for the SABI wallet platform
// (sabi.am, Nigeria): freezing and unfreezing wallet accounts, reading one
// back, and logging in. Its documentation is at https://sabi-docs.netlify.app.
//
//	c, err := walletplatform.New(walletplatform.Credentials{
//		APIKey:   restrict.Secret(os.Getenv("SABI_API_KEY")),
//		Username: "tech@example.com",
//		PassID:   restrict.Secret(os.Getenv("SABI_PASS_ID")),
//	}, restrict.WithBaseURL("https://wallets.example.com/platform/wallets"))
//	if err != nil {
//		return err
//	}
//	_, err = c.FreezeAccount(ctx, walletplatform.FreezeAccountRequest{AccountID: accountUUID})
//
// # Base URL
//
// SABI publishes no TLS host, so restrict.WithBaseURL is required: the
// wallet service's root. The only documented host is plain http on a bare
// IP, http://20.87.230.105/platform/wallets, and since credentials would
// cross the network in clear text it is accepted only with
// restrict.WithInsecureHTTP(). The login lives in the users service, by
// default on the base URL's scheme and host; WithUsersURL moves it.
//
// # Authentication
//
// Every call carries the tenant's key in an apiKey header and a user's
// token as Authorization: Bearer. Give Credentials.Token to use a token as
// it is, or Username and PassID to have the client log in
// (POST /api/v1/users/login/platform/public): it caches the token until a
// minute before its JWT expiry, makes one login for any number of
// concurrent calls, and when a call is refused as unauthorized (HTTP 401,
// or {"status":false,"statusCode":401} in a 200 answer) logs in again and
// repeats the call once.
//
// The login answer is undocumented (the page says it "does not contain any
// specific fields"); the token is taken from data.accessToken, data.token,
// accessToken or token, and an answer with none of them fails with an
// error matching restrict.ErrUnavailable that names the fields it did have.
//
// # Answers
//
// The platform answers with an envelope {status, statusCode, message, data,
// errors}; success is status true. The documentation prints it as XML and
// the service most likely sends JSON: both are read, chosen by the body's
// first byte whatever the Content-Type says. statusCode echoes the HTTP
// status, so it is no error code of SABI's own: restrict.APIError.Code
// stays empty. Refusals match restrict.ErrInvalidRequest (400),
// ErrUnauthorized (401), ErrForbidden (403) and ErrNotFound (404 in the
// platform's envelope, "Account id not found"), also when they arrive as
// status false in a 200 answer. A 404 without the envelope's status (such
// as NestJS's "Cannot POST /…") means the base URL or path is wrong and
// matches ErrInvalidRequest.
//
// # Restrictor and Checker
//
// Restrict freezes the account (restrict.ActionFreeze, StateRestricted);
// Lift unfreezes it (restrict.ActionUnfreeze, StateActive); Status reads it
// with GetAccount. Target.ID is the account ID, its UUID; its form is not
// documented, so CheckTargetID refuses only a blank ID, one longer than
// 256 bytes, one with control characters, and one that is not a single
// path segment (Status sends it in the path). The platform has no field
// for Target.Reason, which is only logged.
//
// Facts and doubts:
//
//   - Documented: freeze and unfreeze are one endpoint,
//     POST /accounts/freeze-unfreeze?action=FREEZE|UNFREEZE with body
//     {"accountId"}; the documentation's curl examples label the two
//     actions the wrong way round, and this package sends action=FREEZE
//     to freeze.
//   - Inferred: accountId is the account UUID that GET /accounts/{accountUuid}
//     takes.
//   - Inferred: freezing a frozen account (or unfreezing an active one)
//     answers success, or a refusal saying "already frozen" ("already
//     unfrozen", "already active", "not frozen"); Restrict and Lift take
//     either as success.
//   - Inferred: an account's fields and status values are undocumented;
//     Account reads the likely names, and Status reads a status holding
//     "frozen" or "freeze" as restricted, "active" as active, and anything
//     else as unknown.
//
// The package walletplatformtest is a fake of the platform for tests.
package walletplatform
