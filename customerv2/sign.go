package customerv2

import (
	"context"
	"errors"
	"net/http"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/transport"
)

// The header names KunaCore documents. Header names are case-insensitive;
// Go sends them canonicalised (Api-Key, Merchant_id), which one of KunaCore's
// own samples also writes.
const (
	headerAPIKey     = "api-key"
	headerMerchantID = "merchant_id"
)

// pathLogin issues the JWT that login mode sends as a bearer token.
const pathLogin = "/v2/auth/login"

// apiKeySigner sends the key on every attempt. KunaCore documents no
// signature, nonce or timestamp for its API key.
func apiKeySigner(key restrict.Secret) transport.Signer {
	return transport.SignerFunc(func(_ context.Context, a *transport.Attempt) error {
		a.Header.Set(headerAPIKey, string(key))
		return nil
	})
}

// loginRequest is the login body. The login page itself was not found;
// KunaCore's message-level-encryption guide defines exactly email,
// password and merchantId before logging in, and the auth guide sends the
// merchant id as a header, so the body carries only email and password.
type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// loginResult is data of the login answer; KunaCore's samples read the JWT
// as data.accessToken.
type loginResult struct {
	AccessToken string `json:"accessToken"`
}

// login calls POST /v2/auth/login through the same transport. Its own
// signer sends merchant_id and no bearer token, and is not a Renewer, so a
// refused login surfaces at once instead of logging in again.
//
// https://docs.kunacore.io/docs/how-to-call-private-endpoints
func (c *Client) login(ctx context.Context) (string, error) {
	merchant := c.creds.MerchantID
	var out loginResult
	_, err := c.tc.Do(ctx, &transport.Operation{
		Name:   "Login",
		Method: http.MethodPost,
		Path:   pathLogin,
		Body:   loginRequest{Email: c.creds.Email, Password: string(c.creds.Password)},
		// Logging in twice only issues two tokens: safe to retry.
		Idempotent: true,
		Signer: transport.SignerFunc(func(_ context.Context, a *transport.Attempt) error {
			a.Header.Set(headerMerchantID, merchant)
			return nil
		}),
	}, &out)
	if err != nil {
		var ae *restrict.APIError
		if errors.As(err, &ae) {
			switch ae.StatusCode {
			case http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden:
				// Whatever KunaCore calls it, a login it refuses means the
				// credentials are wrong: the caller must fix them.
				ae.Class = restrict.ErrUnauthorized
			}
		}
		return "", err
	}
	// A token that came with its scheme is sent once, not as "Bearer Bearer".
	tok := transport.StripBearer(out.AccessToken)
	if tok == "" {
		return "", &restrict.APIError{Provider: Provider, Operation: "Login", Class: restrict.ErrUnavailable,
			Message: "login answered without data.accessToken"}
	}
	return tok, nil
}
