package customerv2_test

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/customerv2"
	"github.com/restrictkit/restrict/internal/testkit"
)

func TestRestrictSuspends(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, mt, rec := newMock(t, keyCreds, restrict.WithLogger(logger))
	respond(mt, rec, "/v2/customer/suspend", http.StatusOK, `{"data":{"success":true}}`)

	res, err := c.Restrict(bg(), restrict.Target{ID: customerID, Reason: "fraud case 17"})
	require.NoError(t, err)
	require.Equal(t, &restrict.Result{
		Provider: "customerv2", Action: restrict.ActionSuspend, TargetID: customerID, State: restrict.StateRestricted,
		Meta: restrict.Meta{StatusCode: http.StatusOK, Attempts: 1},
	}, res)
	require.Equal(t, `{"id":"`+customerID+`"}`, string(rec.Requests()[0].Body), "KunaCore has no field for the reason")
	require.Contains(t, logs.String(), "fraud case 17")
	require.NotContains(t, logs.String(), string(keyCreds.APIKey))
}

// A second suspension is not documented. The inferred answers that mean
// "already suspended" are a success with StateRestricted; other refusals
// stay errors.
func TestRestrictAlreadySuspended(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, body string
		status     int
	}{
		{"success again", `{"data":{"success":true}}`, http.StatusOK},
		{"data success false, outer message", `{"data":{"success":false},"message":"Customer already suspended"}`, http.StatusOK},
		{"top-level success false", `{"success":false,"message":"Customer is already SUSPENDED"}`, http.StatusOK},
		{"NestJS 409", `{"statusCode":409,"message":"Customer already suspended","error":"Conflict"}`, http.StatusConflict},
		{"NestJS 400 list", `{"statusCode":400,"message":["customer has already been suspended"],"error":"Bad Request"}`, http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mt, rec := newMock(t, keyCreds)
			respond(mt, rec, "/v2/customer/suspend", tc.status, tc.body)
			res, err := c.Restrict(bg(), restrict.Target{ID: customerID})
			require.NoError(t, err)
			require.Equal(t, &restrict.Result{
				Provider: "customerv2", Action: restrict.ActionSuspend, TargetID: customerID, State: restrict.StateRestricted,
				Meta: restrict.Meta{StatusCode: tc.status, Attempts: 1},
			}, res)

			// The native call reports what KunaCore said.
			_, err = c.Suspend(bg(), customerv2.SuspendRequest{ID: customerID})
			if tc.name == "success again" {
				require.NoError(t, err)
			} else {
				require.Error(t, err)
			}
		})
	}
	for _, tc := range []struct {
		name, body string
		status     int
		class      error
	}{
		{"refused for another reason", `{"data":{"success":false},"message":"Wallet is blocked"}`, http.StatusOK, restrict.ErrConflict},
		{"already, but not suspended", `{"statusCode":409,"message":"Request already in progress","error":"Conflict"}`, http.StatusConflict, restrict.ErrConflict},
		{"no confirmation", `{"data":{}}`, http.StatusOK, restrict.ErrConflict},
		{"not found", `{"statusCode":404,"message":"Customer not found","error":"Not Found"}`, http.StatusNotFound, restrict.ErrNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mt, rec := newMock(t, keyCreds)
			respond(mt, rec, "/v2/customer/suspend", tc.status, tc.body)
			res, err := c.Restrict(bg(), restrict.Target{ID: customerID})
			require.Nil(t, res)
			ae := testkit.RequireAPIError(t, err, customerv2.Provider, tc.class)
			require.Equal(t, "Suspend", ae.Operation)
			require.Equal(t, tc.status, ae.StatusCode)
		})
	}
}

func TestRestrictAndStatusCheckTheID(t *testing.T) {
	t.Parallel()
	c, mt, _ := newMock(t, keyCreds)
	for _, id := range []string{"", " ", "customer-1", "../../admin", strings.Repeat("a", 300), customerID + "\n"} {
		require.ErrorIs(t, customerv2.CheckTargetID(id), restrict.ErrInvalidRequest, "%q", id)
		for op, call := range map[string]func() (*restrict.Result, error){
			"Restrict": func() (*restrict.Result, error) { return c.Restrict(bg(), restrict.Target{ID: id}) },
			"Status":   func() (*restrict.Result, error) { return c.Status(bg(), restrict.Target{ID: id}) },
		} {
			res, err := call()
			require.Nil(t, res)
			ae := testkit.RequireAPIError(t, err, customerv2.Provider, restrict.ErrInvalidRequest)
			require.Equal(t, op, ae.Operation)
			require.Equal(t, []string{"ID"}, fieldNames(ae))
			require.Zero(t, ae.Attempts)
		}
	}
	require.Zero(t, mt.GetTotalCallCount())
	require.NoError(t, customerv2.CheckTargetID(customerID))
	require.NoError(t, customerv2.CheckTargetID(strings.ToUpper(customerID)))
}

func fieldNames(ae *restrict.APIError) []string {
	var names []string
	for name := range ae.Fields {
		names = append(names, name)
	}
	return names
}

func TestLiftIsUnsupportedAndSendsNothing(t *testing.T) {
	t.Parallel()
	for _, creds := range []customerv2.Credentials{keyCreds, loginCreds} {
		c, mt, _ := newMock(t, creds)
		for _, target := range []restrict.Target{{ID: customerID}, {}} {
			res, err := c.Lift(bg(), target)
			require.Nil(t, res)
			ae := testkit.RequireAPIError(t, err, customerv2.Provider, restrict.ErrUnsupported)
			require.True(t, errors.Is(err, errors.ErrUnsupported))
			require.Equal(t, "Lift", ae.Operation)
			require.Equal(t, "customerv2", ae.Provider)
			require.Contains(t, ae.Message, "one-way")
		}
		require.Zero(t, mt.GetTotalCallCount())
	}
}

func TestStatusReadsDetails(t *testing.T) {
	t.Parallel()
	for status, want := range map[string]restrict.State{
		"Suspended":  restrict.StateRestricted,
		"SUSPENDED":  restrict.StateRestricted,
		"Blocked":    restrict.StateRestricted,
		"suspicious": restrict.StateRestricted,
		"Active":     restrict.StateActive,
		"active":     restrict.StateActive,
		"Pending":    restrict.StateUnknown,
		"":           restrict.StateUnknown,
	} {
		c, mt, rec := newMock(t, keyCreds)
		respond(mt, rec, "/v2/customer/details", http.StatusOK, `{"data":{"id":"`+customerID+`","status":"`+status+`"}}`)
		res, err := c.Status(bg(), restrict.Target{ID: customerID, Reason: "audit"})
		require.NoError(t, err)
		require.Equal(t, &restrict.Result{Provider: "customerv2", TargetID: customerID, State: want,
			Meta: restrict.Meta{StatusCode: http.StatusOK, Attempts: 1}}, res, status)
		require.Equal(t, `{"id":"`+customerID+`"}`, string(rec.Requests()[0].Body))
	}
}

func TestStatusFailure(t *testing.T) {
	t.Parallel()
	c, mt, rec := newMock(t, keyCreds)
	respond(mt, rec, "/v2/customer/details", http.StatusNotFound, `{"statusCode":404,"message":"Customer not found","error":"Not Found"}`)
	res, err := c.Status(bg(), restrict.Target{ID: customerID})
	require.Nil(t, res)
	ae := testkit.RequireAPIError(t, err, customerv2.Provider, restrict.ErrNotFound)
	require.Equal(t, "CustomerDetails", ae.Operation)
	require.Empty(t, ae.Code)
}

func TestLoginModeLogsNoSecret(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, mt, rec := newMock(t, loginCreds, restrict.WithLogger(logger))
	tok := testkit.JWT(farFuture, "1")
	respond(mt, rec, "/v2/auth/login", http.StatusOK, `{"data":{"accessToken":"`+tok+`"}}`)
	respond(mt, rec, "/v2/customer/suspend", http.StatusOK, `{"data":{"success":true}}`)
	_, err := c.Restrict(bg(), restrict.Target{ID: customerID})
	require.NoError(t, err)
	require.Contains(t, logs.String(), `"operation":"Login"`)
	require.Contains(t, logs.String(), `"operation":"Suspend"`)
	require.NotContains(t, logs.String(), string(loginCreds.Password))
	require.NotContains(t, logs.String(), tok)
}
