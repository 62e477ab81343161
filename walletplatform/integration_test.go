package walletplatform_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/restricttest"
	"github.com/restrictkit/restrict/walletplatform"
	"github.com/restrictkit/restrict/walletplatform/walletplatformtest"
)

func TestRestrictAndLift(t *testing.T) {
	t.Parallel()
	for _, asXML := range []bool{false, true} {
		c, srv := fakeClient(t)
		srv.SetXML(asXML)
		srv.AddAccount("acc-1")
		var r restrict.Restrictor = c
		ctx := context.Background()

		res, err := r.Restrict(ctx, restrict.Target{ID: "acc-1", Reason: "chargeback"})
		require.NoError(t, err)
		require.Equal(t, &restrict.Result{Provider: "walletplatform", Action: restrict.ActionFreeze, TargetID: "acc-1",
			State: restrict.StateRestricted, Meta: restrict.Meta{StatusCode: http.StatusOK, Attempts: 1}}, res)
		a, _ := srv.Account("acc-1")
		require.True(t, a.Frozen)

		// Freezing a frozen account succeeds.
		_, err = r.Restrict(ctx, restrict.Target{ID: "acc-1"})
		require.NoError(t, err)
		a, _ = srv.Account("acc-1")
		require.True(t, a.Frozen)

		acc, err := c.GetAccount(ctx, "acc-1")
		require.NoError(t, err)
		require.Equal(t, "acc-1", acc.UUID)
		require.Equal(t, "FROZEN", acc.Status)
		require.NotEmpty(t, acc.ID)
		require.NotEmpty(t, acc.Raw)

		res, err = r.Lift(ctx, restrict.Target{ID: "acc-1"})
		require.NoError(t, err)
		require.Equal(t, restrict.ActionUnfreeze, res.Action)
		require.Equal(t, restrict.StateActive, res.State)
		require.Equal(t, "acc-1", res.TargetID)
		a, _ = srv.Account("acc-1")
		require.False(t, a.Frozen)

		acc, err = c.GetAccount(ctx, "acc-1")
		require.NoError(t, err)
		require.Equal(t, "ACTIVE", acc.Status)
	}
}

func TestFakeErrors(t *testing.T) {
	t.Parallel()
	for _, asXML := range []bool{false, true} {
		c, srv := fakeClient(t)
		srv.SetXML(asXML)
		ctx := context.Background()

		_, err := c.Restrict(ctx, restrict.Target{ID: "no-such-account"})
		require.ErrorIs(t, err, restrict.ErrNotFound)
		ae := apiError(t, err)
		require.Equal(t, "FreezeAccount", ae.Operation)
		require.Equal(t, http.StatusNotFound, ae.StatusCode)
		require.Equal(t, "404", ae.Code)
		require.Equal(t, "Account id not found", ae.Message)

		_, err = c.GetAccount(ctx, "no-such-account")
		require.ErrorIs(t, err, restrict.ErrNotFound)

		_, err = c.FreezeAccount(ctx, "not a valid id!")
		require.ErrorIs(t, err, restrict.ErrInvalidRequest)
		ae = apiError(t, err)
		require.Equal(t, http.StatusBadRequest, ae.StatusCode)
		require.Equal(t, "Invalid account id", ae.Message)
		require.Equal(t, 1, ae.Attempts)

		_, err = c.GetAccount(ctx, "not a valid id!")
		require.ErrorIs(t, err, restrict.ErrInvalidRequest)
	}
}

// Whatever the Content-Type says, or when there is none, the body decides.
func TestFakeContentTypes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		xml bool
		ct  string
	}{{true, ""}, {true, "application/json"}, {false, ""}, {false, "text/xml"}, {true, "text/html"}} {
		c, srv := fakeClient(t)
		srv.AddAccount("acc-1")
		srv.SetXML(tc.xml)
		srv.SetContentType(tc.ct)
		_, err := c.FreezeAccount(context.Background(), "acc-1")
		require.NoError(t, err, "xml=%v ct=%q", tc.xml, tc.ct)
		_, err = c.GetAccount(context.Background(), "missing")
		require.ErrorIs(t, err, restrict.ErrNotFound, "xml=%v ct=%q", tc.xml, tc.ct)
	}
}

func TestFakeFaults(t *testing.T) {
	t.Parallel()
	c, srv := fakeClient(t)
	srv.AddAccount("acc-1")
	ctx := context.Background()
	_, err := c.GetAccount(ctx, "acc-1") // logs in
	require.NoError(t, err)

	srv.Inject(restricttest.Fault{Status: http.StatusServiceUnavailable, Times: 2})
	res, err := c.FreezeAccount(ctx, "acc-1")
	require.NoError(t, err)
	require.Equal(t, 3, res.Attempts)

	srv.Inject(restricttest.Fault{Status: http.StatusTooManyRequests, Header: restricttest.RetryAfter(30)})
	_, err = c.FreezeAccount(ctx, "acc-1")
	require.ErrorIs(t, err, restrict.ErrRateLimited)
	ae := apiError(t, err)
	require.Equal(t, 30*time.Second, ae.RetryAfter)
	require.Equal(t, 1, ae.Attempts, "a wait longer than MaxWait is reported, not slept")
	srv.Clear()

	srv.Inject(restricttest.Fault{Body: `{"status":tr`, ContentType: "application/json", Times: 1})
	_, err = c.FreezeAccount(ctx, "acc-1")
	require.ErrorIs(t, err, restrict.ErrUnavailable)
	require.Contains(t, err.Error(), "malformed JSON")

	srv.Inject(restricttest.Fault{Body: okJSON, Reset: true, Times: 1})
	res, err = c.FreezeAccount(ctx, "acc-1")
	require.NoError(t, err, "an answer lost mid-way is retried")
	require.Equal(t, 2, res.Attempts)
}

// The reason is logged at debug level, the credentials never.
func TestReasonIsLogged(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, srv := fakeClient(t, restrict.WithLogger(logger))
	srv.AddAccount("acc-1")
	_, err := c.Restrict(context.Background(), restrict.Target{ID: "acc-1", Reason: "fraud review 42"})
	require.NoError(t, err)
	out := buf.String()
	require.Contains(t, out, "fraud review 42")
	require.Contains(t, out, "operation=FreezeAccount")
	require.Contains(t, out, "operation=Login")
	for _, s := range []string{string(walletplatformtest.APIKey), string(walletplatformtest.PassID), "eyJ"} {
		require.NotContains(t, out, s)
	}
}

func TestServerIsMountable(t *testing.T) {
	t.Parallel()
	h := walletplatformtest.NewHandler()
	h.AddAccount("acc-1")
	mux := http.NewServeMux()
	mux.Handle("/", h)
	srv := newLoopback(t, mux)
	c, err := walletplatform.New(walletplatform.Credentials{APIKey: walletplatformtest.APIKey, Username: walletplatformtest.Username, PassID: walletplatformtest.PassID},
		restrict.WithBaseURL(srv+walletplatformtest.WalletsPath))
	require.NoError(t, err)
	_, err = c.FreezeAccount(context.Background(), "acc-1")
	require.NoError(t, err)
	a, _ := h.Account("acc-1")
	require.True(t, a.Frozen)
	require.Equal(t, 2, h.Requests())
}
