package kpayment

import (
	"context"
	"encoding/base64"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/transport"
)

// authorization sends one fixed Authorization header, HTTP Basic or Bearer,
// on every attempt. myKaarma signs nothing else, so there is no body to
// hash and nothing that changes between attempts.
type authorization struct {
	// value is the whole header value, kept as a Secret so that printing
	// the signer (or a struct holding it) shows nothing usable.
	value restrict.Secret
}

var _ transport.Signer = (*authorization)(nil)

// basicAuth returns the signer for a ServiceSubscriber's user name and
// password, HTTP Basic as RFC 7617 writes it, and the base64 part of the
// header, which is as secret as the password.
func basicAuth(username, password string) (*authorization, string) {
	encoded := base64.StdEncoding.EncodeToString([]byte(username + ":" + password))
	return &authorization{value: restrict.Secret("Basic " + encoded)}, encoded
}

// bearerAuth returns the signer for an OAuth2 access token.
func bearerAuth(token string) *authorization {
	return &authorization{value: restrict.Secret("Bearer " + token)}
}

// Sign sets the Authorization header.
func (a *authorization) Sign(_ context.Context, at *transport.Attempt) error {
	at.Header.Set("Authorization", string(a.value))
	return nil
}
