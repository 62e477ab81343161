package transport_test

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/transport"
)

// countingLimiter lets the first allow waits go and refuses the rest.
type countingLimiter struct {
	waits atomic.Int64
	allow int64
}

func (l *countingLimiter) Wait(ctx context.Context) error {
	if l.waits.Add(1) > l.allow {
		return errors.New("rate: Wait(n=1) would exceed context deadline")
	}
	return ctx.Err()
}

func TestLimiterIsWaitedOnBeforeEveryAttempt(t *testing.T) {
	t.Parallel()
	rec, srv := serve(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n < 3 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte(`{}`))
	})
	c := newClient(t, transport.Config{}, restrict.WithBaseURL(srv.URL), fast)
	l := &countingLimiter{allow: 100}
	meta, err := c.Do(restrict.ContextWithLimiter(context.Background(), l), op(true), nil)
	require.NoError(t, err)
	require.Equal(t, 3, rec.count())
	require.Equal(t, 3, meta.Attempts)
	require.EqualValues(t, 3, l.waits.Load(), "one wait per HTTP request, retries included")
}

func TestARequestTheLimiterRefusesIsNotSentNorCounted(t *testing.T) {
	t.Parallel()
	rec, srv := serve(t, status(http.StatusServiceUnavailable, ``))
	c := newClient(t, transport.Config{}, restrict.WithBaseURL(srv.URL), fast)

	_, err := c.Do(restrict.ContextWithLimiter(context.Background(), &countingLimiter{allow: 1}), op(true), nil)
	require.ErrorIs(t, err, restrict.ErrRateLimited)
	var ae *restrict.APIError
	require.ErrorAs(t, err, &ae)
	require.Equal(t, 1, ae.Attempts)
	require.Equal(t, 1, rec.count())

	_, err = c.Do(restrict.ContextWithLimiter(context.Background(), &countingLimiter{}), op(true), nil)
	require.ErrorAs(t, err, &ae)
	require.Equal(t, 0, ae.Attempts)
	require.Equal(t, 1, rec.count(), "nothing more was sent")
}

// A request whose signing ran a login waits for a slot of its own after
// it, and is signed again, instead of going at the slot that passed while
// it waited: otherwise every call that queued behind the login would go
// at once. A quick signing waits once.
func TestASlowSigningWaitsForAnotherSlot(t *testing.T) {
	t.Parallel()
	rec, srv := serve(t, status(http.StatusOK, `{}`))
	var signed atomic.Int64
	login := transport.SignerFunc(func(_ context.Context, a *transport.Attempt) error {
		if signed.Add(1) == 1 {
			time.Sleep(100 * time.Millisecond) // the login
		}
		return nil
	})
	c := newClient(t, transport.Config{Signer: login}, restrict.WithBaseURL(srv.URL), fast)
	l := &countingLimiter{allow: 100}
	_, err := c.Do(restrict.ContextWithLimiter(context.Background(), l), op(true), nil)
	require.NoError(t, err)
	require.EqualValues(t, 2, l.waits.Load(), "waited again after the login")
	require.EqualValues(t, 2, signed.Load(), "signed again after that wait")
	require.Equal(t, 1, rec.count(), "one request sent")

	_, err = c.Do(restrict.ContextWithLimiter(context.Background(), l), op(true), nil)
	require.NoError(t, err)
	require.EqualValues(t, 3, l.waits.Load(), "a quick signing waits once")
}
