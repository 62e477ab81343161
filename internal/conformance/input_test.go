package conformance_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/kpayment"
	"github.com/restrictkit/restrict/walletplatform"
)

// requireFieldError checks a local rejection: ErrInvalidRequest, the field
// named both in Fields and in the message, nothing attempted.
func requireFieldError(t *testing.T, err error, field string) {
	t.Helper()
	require.ErrorIs(t, err, restrict.ErrInvalidRequest)
	var ae *restrict.APIError
	require.ErrorAs(t, err, &ae)
	require.Contains(t, ae.Fields, field, "the field is named: %v", err)
	require.Contains(t, err.Error(), field)
	require.Zero(t, ae.Attempts)
	require.Zero(t, ae.StatusCode)
}

func TestBadInputIsRejectedBeforeSending(t *testing.T) {
	t.Parallel()
	for _, s := range subjects {
		s := s
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			e := s.start(t)
			h := newHarness(t, fastRetry, 0)
			for _, b := range e.bad {
				requireFieldError(t, b.call(context.Background(), h.opts...), b.field)
			}
			c, err := e.newClient(h.opts...)
			require.NoError(t, err)
			ids := []string{"", "   ", strings.Repeat("9", 300), "x\x00y", "x\ny", "../../admin", "a/b", `a\b`}
			for _, id := range ids {
				for _, call := range []func(context.Context, restrict.Target) (*restrict.Result, error){c.Restrict, c.Lift} {
					res, err := call(context.Background(), restrict.Target{ID: id})
					require.Nil(t, res, "%q", id)
					if !s.lift && errors.Is(err, restrict.ErrUnsupported) {
						continue
					}
					requireFieldError(t, err, fieldOf(t, err))
				}
			}
			require.Zero(t, e.fake.Requests(), "bad input never reached the provider")
			h.requireNoSecret(t, e, nil)
		})
	}
}

func fieldOf(t *testing.T, err error) string {
	t.Helper()
	var ae *restrict.APIError
	require.ErrorAs(t, err, &ae)
	require.Len(t, ae.Fields, 1, "one field named: %v", err)
	for f := range ae.Fields {
		return f
	}
	return ""
}

func TestNewRejectsMissingCredentialsAndBadOptions(t *testing.T) {
	t.Parallel()
	for _, s := range subjects {
		s := s
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			e := s.start(t)
			for name, opt := range map[string]restrict.Option{
				"retry":    restrict.WithRetry(restrict.RetryPolicy{MaxAttempts: 0}),
				"waits":    restrict.WithRetry(restrict.RetryPolicy{MaxAttempts: 2, MinWait: 2, MaxWait: 1}),
				"url":      restrict.WithBaseURL("not a url"),
				"client":   restrict.WithHTTPClient(nil),
				"insecure": restrict.WithBaseURL("http://payments.example.com"),
			} {
				_, err := e.newClient(opt)
				require.ErrorIs(t, err, restrict.ErrInvalidRequest, name)
			}
		})
	}
}

func TestClientsAndErrorsPrintNoSecret(t *testing.T) {
	t.Parallel()
	for _, s := range subjects {
		s := s
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			e := s.start(t)
			h := newHarness(t, fastRetry, 0)
			c, err := e.newClient(h.opts...)
			require.NoError(t, err)
			var out bytes.Buffer
			for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
				fmt.Fprintf(&out, verb+"\n", c)
				fmt.Fprintf(&out, verb+"\n", []any{c})
			}
			slog.New(slog.NewTextHandler(&out, nil)).Info("client", "c", c)
			slog.New(slog.NewJSONHandler(&out, nil)).Info("client", "c", c)
			j, _ := json.Marshal(c)
			out.Write(j)
			for _, secret := range e.secrets {
				require.NotContains(t, out.String(), secret)
			}
			require.Contains(t, out.String(), s.name)
		})
	}
}

// An option of one provider given to another provider's New is refused,
// naming the option, instead of being silently ignored.
func TestNewRefusesAnotherProvidersOption(t *testing.T) {
	t.Parallel()
	foreign := map[string]struct {
		name string
		opt  restrict.Option
	}{
		walletplatform.Provider: {"WithUsersURL", walletplatform.WithUsersURL("https://users.example")},
		kpayment.Provider:       {"WithRestrictRequest", kpayment.WithRestrictRequest(kpayment.BlockCustomerRequest{})},
	}
	for _, s := range subjects {
		s := s
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			e := s.start(t)
			for owner, f := range foreign {
				_, err := e.newClient(f.opt)
				if owner == s.name {
					require.NoError(t, err, "its own option")
					continue
				}
				require.ErrorIs(t, err, restrict.ErrInvalidRequest, "%s given to %s", f.name, s.name)
				require.Contains(t, err.Error(), f.name+" is an option of "+owner)
			}
		})
	}
}
