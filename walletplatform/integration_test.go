package walletplatform_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/testkit"
	"github.com/restrictkit/restrict/restricttest"
	"github.com/restrictkit/restrict/walletplatform"
	"github.com/restrictkit/restrict/walletplatform/walletplatformtest"
)

func TestRestrictLiftStatus(t *testing.T) {
	t.Parallel()
	for _, asXML := range []bool{false, true} {
		c, srv := fakeClient(t)
		srv.SetXML(asXML)
		srv.AddAccount("acc-1")
		var r interface {
			restrict.Restrictor
			restrict.Checker
		} = c
		ctx := context.Background()
		target := restrict.Target{ID: "acc-1", Reason: "chargeback"}
		status := func(want restrict.State) {
			t.Helper()
			res, err := r.Status(ctx, target)
			require.NoError(t, err)
			require.Equal(t, &restrict.Result{Provider: "walletplatform", TargetID: "acc-1", State: want,
				Meta: restrict.Meta{StatusCode: http.StatusOK, Attempts: 1}}, res)
		}
		status(restrict.StateActive)

		res, err := r.Restrict(ctx, target)
		require.NoError(t, err)
		require.Equal(t, &restrict.Result{Provider: "walletplatform", Action: restrict.ActionFreeze, TargetID: "acc-1",
			State: restrict.StateRestricted, Meta: restrict.Meta{StatusCode: http.StatusOK, Attempts: 1}}, res)
		a, _ := srv.Account("acc-1")
		require.True(t, a.Frozen())
		status(restrict.StateRestricted)

		acc, err := c.GetAccount(ctx, "acc-1")
		require.NoError(t, err)
		require.Equal(t, "acc-1", acc.UUID)
		require.Equal(t, walletplatformtest.StatusFrozen, acc.Status)
		require.NotEmpty(t, acc.ID)
		require.NotEmpty(t, acc.Raw)

		res, err = r.Lift(ctx, target)
		require.NoError(t, err)
		require.Equal(t, restrict.ActionUnfreeze, res.Action)
		require.Equal(t, restrict.StateActive, res.State)
		require.Equal(t, "acc-1", res.TargetID)
		a, _ = srv.Account("acc-1")
		require.False(t, a.Frozen())
		status(restrict.StateActive)
	}
}

// Restrict and Lift are idempotent whichever way the platform answers a
// repeat: with success (the fake's default) or with an "already" refusal.
func TestRepeatsAreIdempotent(t *testing.T) {
	t.Parallel()
	for _, refuse := range []bool{false, true} {
		c, srv := fakeClient(t)
		srv.AddAccount("acc-1")
		srv.SetRefuseRepeats(refuse)
		ctx := context.Background()
		target := restrict.Target{ID: "acc-1"}
		for range 2 {
			res, err := c.Restrict(ctx, target)
			require.NoError(t, err, "refuse=%v", refuse)
			require.Equal(t, restrict.StateRestricted, res.State)
			st, err := c.Status(ctx, target)
			require.NoError(t, err)
			require.Equal(t, restrict.StateRestricted, st.State)
		}
		for range 2 {
			res, err := c.Lift(ctx, target)
			require.NoError(t, err, "refuse=%v", refuse)
			require.Equal(t, restrict.StateActive, res.State)
			st, err := c.Status(ctx, target)
			require.NoError(t, err)
			require.Equal(t, restrict.StateActive, st.State)
		}
		if refuse {
			// The native call reports the refusal as the platform said it.
			_, err := unfreeze(ctx, c, "acc-1")
			require.ErrorIs(t, err, restrict.ErrInvalidRequest)
			require.Equal(t, "Account already unfrozen", testkit.RequireAPIError(t, err, walletplatform.Provider, nil).Message)
		}
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
		ae := testkit.RequireAPIError(t, err, walletplatform.Provider, nil)
		require.Equal(t, "FreezeAccount", ae.Operation)
		require.Equal(t, http.StatusNotFound, ae.StatusCode)
		require.Empty(t, ae.Code)
		require.Equal(t, "Account id not found", ae.Message)

		_, err = c.Status(ctx, restrict.Target{ID: "no-such-account"})
		require.ErrorIs(t, err, restrict.ErrNotFound)

		_, err = freeze(ctx, c, "not a valid id!")
		require.ErrorIs(t, err, restrict.ErrInvalidRequest)
		ae = testkit.RequireAPIError(t, err, walletplatform.Provider, nil)
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
		_, err := freeze(context.Background(), c, "acc-1")
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
	res, err := freeze(ctx, c, "acc-1")
	require.NoError(t, err)
	require.Equal(t, 3, res.Attempts)

	srv.Inject(restricttest.Fault{Status: http.StatusTooManyRequests, Header: restricttest.RetryAfter(30)})
	_, err = freeze(ctx, c, "acc-1")
	require.ErrorIs(t, err, restrict.ErrRateLimited)
	ae := testkit.RequireAPIError(t, err, walletplatform.Provider, nil)
	require.Equal(t, 30*time.Second, ae.RetryAfter)
	require.Equal(t, 1, ae.Attempts, "a wait longer than MaxWait is reported, not slept")
	srv.Clear()

	srv.Inject(restricttest.Fault{Body: `{"status":tr`, ContentType: "application/json", Times: 1})
	_, err = freeze(ctx, c, "acc-1")
	require.ErrorIs(t, err, restrict.ErrUnavailable)
	require.Contains(t, err.Error(), "malformed JSON")

	srv.Inject(restricttest.Fault{Body: okJSON, Reset: true, Times: 1})
	res, err = freeze(ctx, c, "acc-1")
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
	for _, s := range []string{string(fakeCreds.APIKey), string(fakeCreds.PassID), "eyJ"} {
		require.NotContains(t, out, s)
	}
}

// The fake's Handler serves the same fake on a server of the test's own.
func TestServerIsMountable(t *testing.T) {
	t.Parallel()
	fake := walletplatformtest.NewServer(fakeCreds)
	t.Cleanup(fake.Close)
	fake.AddAccount("acc-1")
	mux := http.NewServeMux()
	mux.Handle("/", fake.Handler())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	c, err := walletplatform.New(fakeCreds, restrict.WithBaseURL(srv.URL+walletplatformtest.WalletsPath))
	require.NoError(t, err)
	_, err = c.Restrict(context.Background(), restrict.Target{ID: "acc-1"})
	require.NoError(t, err)
	a, _ := fake.Account("acc-1")
	require.True(t, a.Frozen())
	require.Equal(t, 2, fake.Requests(), "the login and the freeze")
}
