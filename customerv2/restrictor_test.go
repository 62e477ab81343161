package customerv2_test

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
)

func TestRestrictSuspends(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, mt, rec := newMock(t, keyCreds, restrict.WithLogger(logger))
	respond(mt, rec, "/v2/customer/suspend", http.StatusOK, `{"data":{"success":true}}`)

	res, err := c.Restrict(bg(), restrict.Target{ID: "6d962783-f0cf-420d-a511-3a48c71c5595", Reason: "fraud case 17"})
	require.NoError(t, err)
	require.Equal(t, &restrict.Result{
		Provider: "customerv2", Action: restrict.ActionSuspend, TargetID: "6d962783-f0cf-420d-a511-3a48c71c5595", State: restrict.StateRestricted,
		Meta: restrict.Meta{StatusCode: http.StatusOK, Attempts: 1},
	}, res)
	require.Equal(t, `{"id":"6d962783-f0cf-420d-a511-3a48c71c5595"}`, string(rec.all()[0].Body), "KunaCore has no field for the reason")
	require.Contains(t, logs.String(), "fraud case 17")
	require.NotContains(t, logs.String(), string(keyCreds.APIKey))
}

func TestRestrictWithoutSuccessIsUnknown(t *testing.T) {
	t.Parallel()
	c, mt, rec := newMock(t, keyCreds)
	respond(mt, rec, "/v2/customer/suspend", http.StatusOK, `{"data":{}}`)
	res, err := c.Restrict(bg(), restrict.Target{ID: "6d962783-f0cf-420d-a511-3a48c71c5595"})
	require.NoError(t, err)
	require.Equal(t, restrict.StateUnknown, res.State)
}

func TestRestrictFailure(t *testing.T) {
	t.Parallel()
	c, mt, rec := newMock(t, keyCreds)
	respond(mt, rec, "/v2/customer/suspend", http.StatusNotFound, `{"statusCode":404,"message":"Customer not found","error":"Not Found"}`)
	res, err := c.Restrict(bg(), restrict.Target{ID: "6d962783-f0cf-420d-a511-3a48c71c5595"})
	require.Nil(t, res)
	ae := requireAPIError(t, err, restrict.ErrNotFound)
	require.Equal(t, "Suspend", ae.Operation)
}

func TestLiftIsUnsupportedAndSendsNothing(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"api key", "login"} {
		creds := keyCreds
		if mode == "login" {
			creds = loginCreds
		}
		c, mt, _ := newMock(t, creds)
		res, err := c.Lift(bg(), restrict.Target{ID: "6d962783-f0cf-420d-a511-3a48c71c5595"})
		require.Nil(t, res)
		ae := requireAPIError(t, err, restrict.ErrUnsupported)
		require.True(t, errors.Is(err, errors.ErrUnsupported))
		require.Equal(t, "Lift", ae.Operation)
		require.Equal(t, "customerv2", ae.Provider)
		require.Contains(t, ae.Message, "one-way")
		require.Zero(t, mt.GetTotalCallCount(), mode)
	}
}

func TestLoginModeLogsNoSecret(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, mt, rec := newMock(t, loginCreds, restrict.WithLogger(logger))
	tok := jwt(farFuture, "1")
	respond(mt, rec, "/v2/auth/login", http.StatusOK, `{"data":{"accessToken":"`+tok+`"}}`)
	respond(mt, rec, "/v2/customer/suspend", http.StatusOK, `{"data":{"success":true}}`)
	_, err := c.Restrict(bg(), restrict.Target{ID: "6d962783-f0cf-420d-a511-3a48c71c5595"})
	require.NoError(t, err)
	require.Contains(t, logs.String(), `"operation":"Login"`)
	require.Contains(t, logs.String(), `"operation":"Suspend"`)
	require.NotContains(t, logs.String(), string(loginCreds.Password))
	require.NotContains(t, logs.String(), tok)
}
