package restrict_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
)

// The metrics' class is the audit record's: a class name, or how the
// context ended.
func TestTelemetryClass(t *testing.T) {
	t.Parallel()
	for err, want := range map[error]string{
		nil:                     "ok",
		restrict.ErrRateLimited: "rate_limited",
		&restrict.APIError{Class: restrict.ErrNotFound}:                         "not_found",
		&restrict.APIError{Message: "the context ended", Err: context.Canceled}: "canceled",
		fmt.Errorf("call: %w", context.DeadlineExceeded):                        "timeout",
		errors.New("something else"):                                            "_OTHER",
	} {
		require.Equal(t, want, restrict.TelemetryClass(err), "%v", err)
	}
}
