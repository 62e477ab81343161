package walletplatform_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/testkit"
	"github.com/restrictkit/restrict/walletplatform"
)

// An account ID must be one path segment, since Status sends it in
// GetAccount's path; Restrict and Lift apply the same rule, so one check
// covers all three.
func TestCheckTargetID(t *testing.T) {
	t.Parallel()
	for _, id := range []string{"acc-1", "8f0c6e2a-4b7d-4e1a-9c3f-0a1b2c3d4e5f", "64d66cfad65d553ad6090bcb", "a b?c", "ü", strings.Repeat("9", 256)} {
		require.NoError(t, walletplatform.CheckTargetID(id), "%q", id)
	}
	for _, id := range []string{"", "   ", "a\nb", "a\x00b", "a\x7fb", strings.Repeat("9", 257), "a/b", `a\b`, "..", ".", "../admin", "a..b"} {
		err := walletplatform.CheckTargetID(id)
		require.ErrorIs(t, err, restrict.ErrInvalidRequest, "%q", id)
		ae := testkit.RequireAPIError(t, err, walletplatform.Provider, nil)
		require.Equal(t, walletplatform.Provider, ae.Provider)
		require.Equal(t, "CheckTargetID", ae.Operation)
		require.Len(t, ae.Fields, 1)
		require.Contains(t, ae.Fields, "ID")
	}
}

// Restrict, Lift and Status apply CheckTargetID first, report their own
// operation, and send nothing.
func TestContractRefusesBadIDsBeforeSending(t *testing.T) {
	t.Parallel()
	c, mt := newMocked(t, loginCreds())
	ctx := context.Background()
	calls := map[string]func(context.Context, restrict.Target) (*restrict.Result, error){
		"Restrict": c.Restrict, "Lift": c.Lift, "Status": c.Status,
	}
	for op, call := range calls {
		for _, id := range []string{"", "\t", "a\nb", "../users", "a/b", strings.Repeat("x", 300)} {
			res, err := call(ctx, restrict.Target{ID: id})
			require.Nil(t, res)
			require.ErrorIs(t, err, restrict.ErrInvalidRequest, "%s %q", op, id)
			ae := testkit.RequireAPIError(t, err, walletplatform.Provider, nil)
			require.Equal(t, op, ae.Operation)
			require.Contains(t, ae.Fields, "ID")
			require.Zero(t, ae.Attempts)
		}
	}
	require.Zero(t, mt.GetTotalCallCount(), "not even a login")
}

func TestRestrictAndLiftWire(t *testing.T) {
	t.Parallel()
	c, mt := newMocked(t, staticCreds())
	var s testkit.Recorder
	mt.RegisterResponder(http.MethodPost, freezeAt, s.Wrap(answer(http.StatusOK, jsonCT, okJSON)))
	ctx := context.Background()

	res, err := c.Restrict(ctx, restrict.Target{ID: "acc-1", Reason: "chargeback"})
	require.NoError(t, err)
	require.Equal(t, &restrict.Result{Provider: "walletplatform", Action: restrict.ActionFreeze, TargetID: "acc-1",
		State: restrict.StateRestricted, Meta: restrict.Meta{StatusCode: http.StatusOK, Attempts: 1}}, res)
	res, err = c.Lift(ctx, restrict.Target{ID: "acc-1"})
	require.NoError(t, err)
	require.Equal(t, &restrict.Result{Provider: "walletplatform", Action: restrict.ActionUnfreeze, TargetID: "acc-1",
		State: restrict.StateActive, Meta: restrict.Meta{StatusCode: http.StatusOK, Attempts: 1}}, res)

	require.Equal(t, "action=FREEZE", s.Requests()[0].URL.RawQuery)
	require.Equal(t, "action=UNFREEZE", s.Requests()[1].URL.RawQuery)
	for _, r := range s.Requests() {
		b := string(r.Body)
		require.Equal(t, `{"accountId":"acc-1"}`, b, "the reason has no field")
	}
}

// What the platform answers to a freeze of a frozen account (or an
// unfreeze of an active one) is not documented. A refusal that says the
// account is already so is taken as success with the wanted state; any
// other refusal stays an error.
func TestAlreadyInStateIsSuccess(t *testing.T) {
	t.Parallel()
	refusal := func(status int, msg string) string {
		return `{"status":false,"statusCode":` + strconv.Itoa(status) + `,"message":"` + msg + `","data":{},"errors":[{"message":"` + msg + `","descriptiveMessage":""}]}`
	}
	cases := []struct {
		name     string
		lift     bool
		status   int
		body     string
		ok       bool
		class    error
		httpCode int
	}{
		{"restrict: already frozen", false, 400, refusal(400, "Account already frozen"), true, nil, 400},
		{"restrict: already frozen, any case, in 200", false, 200, refusal(400, "This account is ALREADY FROZEN"), true, nil, 200},
		{"restrict: conflict", false, 409, refusal(409, "Account is already frozen"), true, nil, 409},
		{"restrict: xml", false, 400, `<response><status>false</status><statusCode>400</statusCode><message>Account already frozen</message></response>`, true, nil, 400},
		{"lift: already unfrozen", true, 400, refusal(400, "Account already unfrozen"), true, nil, 400},
		{"lift: not frozen", true, 400, refusal(400, "Account is not frozen"), true, nil, 400},
		{"lift: already active", true, 400, refusal(400, "Account already active"), true, nil, 400},
		{"restrict: other refusal", false, 400, refusal(400, "Invalid account id"), false, restrict.ErrInvalidRequest, 400},
		{"restrict: lift's phrase", false, 400, refusal(400, "Account is not frozen"), false, restrict.ErrInvalidRequest, 400},
		{"lift: restrict's phrase", true, 400, refusal(400, "Account already frozen"), false, restrict.ErrInvalidRequest, 400},
		{"restrict: not a refusal of the request", false, 403, refusal(403, "already frozen by an admin"), false, restrict.ErrForbidden, 403},
		{"restrict: not found", false, 404, refusal(404, "Account id not found"), false, restrict.ErrNotFound, 404},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMocked(t, staticCreds())
			mt.RegisterResponder(http.MethodPost, freezeAt, answer(tc.status, "", tc.body))
			call, action, state := c.Restrict, restrict.ActionFreeze, restrict.StateRestricted
			if tc.lift {
				call, action, state = c.Lift, restrict.ActionUnfreeze, restrict.StateActive
			}
			res, err := call(context.Background(), restrict.Target{ID: "acc-1"})
			if !tc.ok {
				require.Nil(t, res)
				require.ErrorIs(t, err, tc.class)
				return
			}
			require.NoError(t, err)
			require.Equal(t, &restrict.Result{Provider: walletplatform.Provider, Action: action, TargetID: "acc-1", State: state,
				Meta: restrict.Meta{StatusCode: tc.httpCode, Attempts: 1}}, res)
			require.Equal(t, 1, mt.GetTotalCallCount())
		})
	}

	// The native call reports what the platform said.
	c, mt := newMocked(t, staticCreds())
	mt.RegisterResponder(http.MethodPost, freezeAt, answer(400, "", refusal(400, "Account already frozen")))
	_, err := freeze(context.Background(), c, "acc-1")
	require.ErrorIs(t, err, restrict.ErrInvalidRequest)
}

// Status reads the account back with GetAccount; the status vocabulary is
// not documented, so the mapping is an inference.
func TestStatusStates(t *testing.T) {
	t.Parallel()
	cases := map[string]restrict.State{
		`"status":"FROZEN"`:              restrict.StateRestricted,
		`"status":"frozen"`:              restrict.StateRestricted,
		`"status":"FREEZE"`:              restrict.StateRestricted,
		`"accountStatus":"Frozen"`:       restrict.StateRestricted,
		`"status":"ACTIVE"`:              restrict.StateActive,
		`"status":"active"`:              restrict.StateActive,
		`"status":"UNFROZEN"`:            restrict.StateActive,
		`"status":"INACTIVE"`:            restrict.StateUnknown,
		`"status":"PENDING"`:             restrict.StateUnknown,
		`"status":""`:                    restrict.StateUnknown,
		`"uuid":"acc-1"`:                 restrict.StateUnknown,
		`"status":{"code":"FROZEN"}`:     restrict.StateUnknown,
		`"status":1,"accountStatus":"x"`: restrict.StateUnknown,
	}
	for data, want := range cases {
		t.Run(data, func(t *testing.T) {
			t.Parallel()
			c, mt := newMocked(t, staticCreds())
			var s testkit.Recorder
			mt.RegisterResponder(http.MethodGet, baseURL+"/accounts/acc-1", s.Wrap(answer(http.StatusOK, jsonCT,
				`{"status":true,"statusCode":0,"message":"ok","data":{`+data+`},"errors":[]}`)))
			res, err := c.Status(context.Background(), restrict.Target{ID: "acc-1"})
			require.NoError(t, err)
			require.Equal(t, &restrict.Result{Provider: walletplatform.Provider, TargetID: "acc-1", State: want,
				Meta: restrict.Meta{StatusCode: http.StatusOK, Attempts: 1}}, res)
			require.Equal(t, http.MethodGet, s.Requests()[0].Method)
		})
	}
}

func TestStatusErrors(t *testing.T) {
	t.Parallel()
	c, mt := newMocked(t, staticCreds())
	mt.RegisterResponder(http.MethodGet, baseURL+"/accounts/acc-1", answer(http.StatusNotFound, jsonCT,
		`{"status":false,"statusCode":404,"message":"Account id not found","data":{},"errors":[{"message":"Account id not found","descriptiveMessage":""}]}`))
	mt.RegisterResponder(http.MethodGet, baseURL+"/accounts/acc-2", httpmock.NewStringResponder(http.StatusNotFound,
		`{"statusCode":404,"message":"Cannot GET /platform/wallets/accounts/acc-2","error":"Not Found"}`))

	_, err := c.Status(context.Background(), restrict.Target{ID: "acc-1"})
	require.ErrorIs(t, err, restrict.ErrNotFound)
	require.Equal(t, "GetAccount", testkit.RequireAPIError(t, err, walletplatform.Provider, nil).Operation)

	_, err = c.Status(context.Background(), restrict.Target{ID: "acc-2"})
	require.ErrorIs(t, err, restrict.ErrInvalidRequest, "a route the service does not have: the address is wrong")
	require.NotErrorIs(t, err, restrict.ErrNotFound)
}
