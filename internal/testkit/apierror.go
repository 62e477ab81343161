package testkit

import (
	"errors"
	"testing"

	"github.com/restrictkit/restrict"
)

// RequireAPIError fails t unless err is a *restrict.APIError of provider
// and matching class (nil: any class), and returns it.
func RequireAPIError(t testing.TB, err error, provider string, class error) *restrict.APIError {
	t.Helper()
	var ae *restrict.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v (%T) is not a *restrict.APIError", err, err)
	}
	if ae.Provider != provider {
		t.Fatalf("error %v is from provider %q; want %q", err, ae.Provider, provider)
	}
	if class != nil && !errors.Is(err, class) {
		t.Fatalf("error %v does not match %v", err, class)
	}
	return ae
}
