// Package walletplatform is a client for the SABI wallet platform
// (sabi.am, Nigeria): freezing and unfreezing wallet accounts, looking one
// up, and logging in. Its documentation is at https://sabi-docs.netlify.app.
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
//	c, err := walletplatform.New(walletplatform.Credentials{
//		APIKey:   restrict.Secret(os.Getenv("SABI_API_KEY")),
//		Username: "tech@example.com",
//		PassID:   restrict.Secret(os.Getenv("SABI_PASS_ID")),
//	}, restrict.WithBaseURL("http://20.87.230.105/platform/wallets"), restrict.WithInsecureHTTP())
//	if err != nil {
//		return err
//	}
//	_, err = c.FreezeAccount(ctx, accountID)
//
// # Authentication
//
// Every call carries the tenant's key in an apiKey header and a user's
// token as Authorization: Bearer. Give Credentials.Token to use a token as
// it is, or Username and PassID to have the client log in
// (POST /api/v1/users/login/platform/public): it caches the token until a
// minute before its JWT expiry, makes one login for any number of
// concurrent calls, and when a call is answered 401 logs in again and
// repeats the call once.
//
// The login answer is undocumented; the token is taken from data.accessToken,
// data.token, accessToken or token, and an answer with none of them fails
// with an error matching restrict.ErrUnavailable that names the fields it
// did have.
//
// # Answers
//
// The platform answers with an envelope {status, statusCode, message, data,
// errors}; success is status true. The documentation prints it as XML and
// the service most likely sends JSON: both are read, chosen by Content-Type
// and, where that is missing or wrong, by the body's first byte. Refusals
// match restrict.ErrInvalidRequest (400), ErrUnauthorized (401),
// ErrForbidden (403) and ErrNotFound (404), also when they arrive as
// status false on HTTP 200.
//
// # Restrictor
//
// Restrict freezes the account (restrict.ActionFreeze, StateRestricted);
// Lift unfreezes it (restrict.ActionUnfreeze, StateActive). Target.ID is the
// account ID; the platform has no field for Target.Reason.
//
// The package walletplatformtest is a fake of the platform for tests.
package walletplatform
