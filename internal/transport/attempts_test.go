package transport_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/transport"
)

// A call whose context has ended before it starts sends nothing, and says
// so: zero attempts, in the error and in the Meta.
func TestACallWithAnEndedContextSendsNothingAndCountsNoAttempt(t *testing.T) {
	t.Parallel()
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel2()
	for _, tc := range []struct {
		name string
		ctx  context.Context
		want error
	}{
		{"cancelled", cancelled, context.Canceled},
		{"deadline passed", expired, context.DeadlineExceeded},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec, srv := serve(t, status(http.StatusOK, `{}`))
			mt := httpmock.NewMockTransport()
			mt.RegisterNoResponder(httpmock.NewStringResponder(http.StatusOK, `{}`))
			for _, c := range []*transport.Client{
				newClient(t, transport.Config{}, restrict.WithBaseURL(srv.URL), fast),
				// A RoundTripper that is not net/http's may not look at
				// the context at all: it must not be handed the request.
				newClient(t, transport.Config{}, restrict.WithBaseURL("https://api.example"), restrict.WithHTTPClient(&http.Client{Transport: mt}), fast),
			} {
				for _, idempotent := range []bool{true, false} {
					meta, err := c.Do(tc.ctx, op(idempotent), nil)
					require.ErrorIs(t, err, tc.want)
					var ae *restrict.APIError
					require.ErrorAs(t, err, &ae)
					require.Zero(t, ae.Attempts)
					require.Zero(t, meta.Attempts)
					require.NotContains(t, ae.Error(), "attempts")
				}
			}
			require.Zero(t, rec.count())
			require.Zero(t, mt.GetTotalCallCount())
		})
	}
}

// A context that ends while the request is on its way may have let it
// reach the provider: it counts as sent.
func TestACallCutShortInFlightCountsItsAttempt(t *testing.T) {
	t.Parallel()
	arrived := make(chan struct{})
	_, srv := serve(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		close(arrived)
		<-r.Context().Done()
	})
	c := newClient(t, transport.Config{}, restrict.WithBaseURL(srv.URL), fast)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-arrived
		cancel()
	}()
	meta, err := c.Do(ctx, op(false), nil)
	require.ErrorIs(t, err, context.Canceled)
	var ae *restrict.APIError
	require.ErrorAs(t, err, &ae)
	require.Equal(t, 1, ae.Attempts)
	require.Equal(t, 1, meta.Attempts)
}
