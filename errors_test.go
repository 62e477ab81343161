package restrict_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
)

func TestAPIErrorMatchesItsClassOnly(t *testing.T) {
	t.Parallel()
	classes := []error{restrict.ErrInvalidRequest, restrict.ErrUnauthorized, restrict.ErrForbidden, restrict.ErrNotFound,
		restrict.ErrConflict, restrict.ErrRateLimited, restrict.ErrUnavailable, restrict.ErrUnsupported}
	for _, class := range classes {
		var err error = &restrict.APIError{Provider: "p", Operation: "Op", StatusCode: 418, Class: class}
		wrapped := fmt.Errorf("outer: %w", err)
		for _, other := range classes {
			require.Equal(t, class == other, errors.Is(wrapped, other), "%v vs %v", class, other)
		}
		var ae *restrict.APIError
		require.True(t, errors.As(wrapped, &ae))
		require.Equal(t, "Op", ae.Operation)
	}
}

func TestErrUnsupportedMatchesStandardLibrary(t *testing.T) {
	t.Parallel()
	require.ErrorIs(t, restrict.ErrUnsupported, errors.ErrUnsupported)
	err := &restrict.APIError{Provider: "cryptomus", Operation: "Lift", Class: restrict.ErrUnsupported}
	require.ErrorIs(t, err, errors.ErrUnsupported)
	require.NotErrorIs(t, restrict.ErrNotFound, errors.ErrUnsupported)
}

func TestAPIErrorUnwrapsItsCause(t *testing.T) {
	t.Parallel()
	cause := errors.New("connection reset")
	err := &restrict.APIError{Provider: "p", Operation: "Op", Class: restrict.ErrUnavailable, Err: cause}
	require.ErrorIs(t, err, cause)
	require.ErrorIs(t, err, restrict.ErrUnavailable)
	require.True(t, err.Retryable())
	require.False(t, (&restrict.APIError{Class: restrict.ErrNotFound}).Retryable())
}

func TestAPIErrorMessage(t *testing.T) {
	t.Parallel()
	err := &restrict.APIError{
		Provider: "purse", Operation: "BlockCustomer", StatusCode: 400, Code: "004", Message: "Not found",
		Fields: map[string][]string{"b": {"y"}, "a": {"x", "z"}}, RetryAfter: 2 * time.Second, Attempts: 3,
		Class: restrict.ErrNotFound,
	}
	require.Equal(t, `restrict: purse BlockCustomer: HTTP 400 code "004": Not found; a: x, z; b: y (retry after 2s) (after 3 attempts)`, err.Error())

	local := restrict.NewFieldError("cryptomus", "BlockAddress", "uuid", "must be a UUID")
	require.Equal(t, `restrict: cryptomus BlockAddress: invalid request: uuid must be a UUID`, local.Error())
	require.ErrorIs(t, local, restrict.ErrInvalidRequest)
	require.Equal(t, []string{"must be a UUID"}, local.Fields["uuid"])
	require.Zero(t, local.Attempts)
}

func TestSecretIsMaskedEverywhere(t *testing.T) {
	t.Parallel()
	type Credentials struct {
		MerchantID string
		PaymentKey restrict.Secret
	}
	const key = "sk_live_very_secret_value"
	c := Credentials{MerchantID: "merchant-1", PaymentKey: key}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
		out := fmt.Sprintf(verb, c)
		require.NotContains(t, out, key, verb)
		require.NotContains(t, out, fmt.Sprintf("%x", key), verb)
		out = fmt.Sprintf(verb, c.PaymentKey)
		require.NotContains(t, out, key, verb)
	}
	require.Contains(t, fmt.Sprintf("%+v", c), "merchant-1")
	require.Contains(t, fmt.Sprintf("%+v", c), "[REDACTED]")

	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("creds", "c", c, "k", c.PaymentKey)
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("creds", "c", c, "k", c.PaymentKey)
	require.NotContains(t, buf.String(), key)
	require.Contains(t, buf.String(), "merchant-1")

	j, err := json.Marshal(c)
	require.NoError(t, err)
	require.NotContains(t, string(j), key)

	require.Equal(t, `""`, fmt.Sprint(restrict.Secret("")), "an empty secret stays visible as empty")
	require.Equal(t, key, string(c.PaymentKey), "the raw value is still there for the signer")
}

func TestClassName(t *testing.T) {
	t.Parallel()
	for class, name := range map[error]string{
		restrict.ErrInvalidRequest: "invalid_request", restrict.ErrUnauthorized: "unauthorized",
		restrict.ErrForbidden: "forbidden", restrict.ErrNotFound: "not_found", restrict.ErrConflict: "conflict",
		restrict.ErrRateLimited: "rate_limited", restrict.ErrUnavailable: "unavailable", restrict.ErrUnsupported: "unsupported",
	} {
		err := fmt.Errorf("wrapped: %w", &restrict.APIError{Provider: "p", Class: class})
		require.Equal(t, name, restrict.ClassName(err))
	}
	require.Empty(t, restrict.ClassName(nil))
	require.Empty(t, restrict.ClassName(errors.New("plain")))
}

// A failure that a context ended matches no class (it is not the
// provider's doing, and not retryable as such), but its audit record says
// which end it was.
func TestAnEndedContextIsNamedInTheAuditRecord(t *testing.T) {
	t.Parallel()
	for cause, name := range map[error]string{context.DeadlineExceeded: "timeout", context.Canceled: "canceled"} {
		err := &restrict.APIError{Provider: "purse", Operation: "BlockCustomer", Message: "the context ended", Err: cause}
		require.ErrorIs(t, err, cause)
		require.Empty(t, restrict.ClassName(err), "no class: the eight classes are the provider's answers")
		require.False(t, err.Retryable())
		b, jerr := json.Marshal(err)
		require.NoError(t, jerr)
		var rec map[string]any
		require.NoError(t, json.Unmarshal(b, &rec))
		require.Equal(t, name, rec["class"])
	}
	// A class the error has wins over the context's end.
	b, err := json.Marshal(&restrict.APIError{Class: restrict.ErrRateLimited, Err: context.DeadlineExceeded})
	require.NoError(t, err)
	require.Contains(t, string(b), `"class":"rate_limited"`)
}
