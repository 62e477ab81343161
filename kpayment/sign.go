package kpayment

import (
	"context"

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

// Sign sets the Authorization header.
func (a *authorization) Sign(_ context.Context, at *transport.Attempt) error {
	at.Header.Set("Authorization", string(a.value))
	return nil
}
