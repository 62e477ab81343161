package walletplatform

import (
	"context"
	"net/http"

	"github.com/restrictkit/restrict/internal/transport"
)

// The wallet service wants two credentials on every call: the tenant's key
// in an apiKey header and a user's bearer token. With a static Token both
// are fixed; with a login the token comes from transport.TokenAuth, which
// calls setAPIKey for the key.

func (c *Client) setAPIKey(h http.Header) {
	// Go sends the name canonicalised ("Apikey"); header names are
	// case-insensitive in HTTP, and keeping the canonical form lets the
	// transport find the value to redact it.
	h.Set("apiKey", string(c.creds.APIKey))
}

func (c *Client) signStatic(_ context.Context, a *transport.Attempt) error {
	c.setAPIKey(a.Header)
	a.Header.Set("Authorization", "Bearer "+string(c.creds.Token))
	return nil
}

// signLogin authenticates the login call itself, which carries the key but
// no token yet.
func (c *Client) signLogin(_ context.Context, a *transport.Attempt) error {
	c.setAPIKey(a.Header)
	return nil
}
