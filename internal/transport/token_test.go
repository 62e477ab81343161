package transport_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/transport"
)

func jwt(exp time.Time) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc([]byte(fmt.Sprintf(`{"sub":"x","exp":%d}`, exp.Unix()))) + ".c2ln"
}

// tokenServer issues tokens from /login and accepts only the newest on
// /v1/block.
type tokenServer struct {
	logins  atomic.Int32
	mu      sync.Mutex
	current string
	issue   func(n int) string
	reject  bool // answer 401 to every call
}

func (s *tokenServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/login":
		n := int(s.logins.Add(1))
		time.Sleep(20 * time.Millisecond) // long enough for callers to pile up
		tok := s.issue(n)
		s.mu.Lock()
		s.current = tok
		s.mu.Unlock()
		_, _ = fmt.Fprintf(w, `{"token":%q}`, tok)
	default:
		s.mu.Lock()
		ok := r.Header.Get("Authorization") == "Bearer "+s.current && !s.reject
		s.mu.Unlock()
		if !ok {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		_, _ = io.WriteString(w, `{}`)
	}
}

func tokenClient(t *testing.T, s *tokenServer, clock func() time.Time) *transport.Client {
	t.Helper()
	srv := httptestServer(t, s)
	var c *transport.Client
	login := func(ctx context.Context) (string, error) {
		var out struct{ Token string }
		_, err := c.Do(ctx, &transport.Operation{Name: "Login", Method: http.MethodPost, Path: "/login", Idempotent: true,
			Signer: transport.SignerFunc(func(context.Context, *transport.Attempt) error { return nil })}, &out)
		return out.Token, err
	}
	c = newClient(t, transport.Config{Signer: transport.NewTokenAuth(login, clock, func(h http.Header) { h.Set("apiKey", "k") })},
		restrict.WithBaseURL(srv.URL), restrict.WithClock(clock), fast)
	return c
}

func TestOneLoginForManyConcurrentCallers(t *testing.T) {
	t.Parallel()
	s := &tokenServer{issue: func(int) string { return jwt(time.Now().Add(time.Hour)) }}
	c := tokenClient(t, s, time.Now)
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.Do(context.Background(), op(true), nil)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.EqualValues(t, 1, s.logins.Load())
}

func TestLoginAgainNearExpiry(t *testing.T) {
	t.Parallel()
	base := time.Unix(1_800_000_000, 0)
	var now atomic.Int64
	now.Store(base.Unix())
	clock := func() time.Time { return time.Unix(now.Load(), 0) }
	s := &tokenServer{issue: func(n int) string { return jwt(base.Add(time.Duration(n) * 10 * time.Minute)) }}
	c := tokenClient(t, s, clock)

	_, err := c.Do(context.Background(), op(true), nil)
	require.NoError(t, err)
	_, err = c.Do(context.Background(), op(true), nil)
	require.NoError(t, err)
	require.EqualValues(t, 1, s.logins.Load(), "the token is cached")

	now.Store(base.Add(8*time.Minute + 59*time.Second).Unix()) // 61 s before exp
	_, err = c.Do(context.Background(), op(true), nil)
	require.NoError(t, err)
	require.EqualValues(t, 1, s.logins.Load())

	now.Store(base.Add(9*time.Minute + 1*time.Second).Unix()) // 59 s before exp
	_, err = c.Do(context.Background(), op(true), nil)
	require.NoError(t, err)
	require.EqualValues(t, 2, s.logins.Load(), "within a minute of exp the client logs in again")
}

func TestLoginAgainOnceOn401(t *testing.T) {
	t.Parallel()
	s := &tokenServer{issue: func(n int) string { return jwt(time.Now().Add(time.Hour)) + fmt.Sprint(n) }}
	c := tokenClient(t, s, time.Now)
	_, err := c.Do(context.Background(), op(true), nil)
	require.NoError(t, err)

	// The server forgets the token (a restart, a revocation): one 401, one
	// new login, success.
	s.mu.Lock()
	s.current = "revoked"
	s.mu.Unlock()
	meta, err := c.Do(context.Background(), op(true), nil)
	require.NoError(t, err)
	require.EqualValues(t, 2, s.logins.Load())
	require.Equal(t, 2, meta.Attempts)

	// A server that refuses every token: exactly one more login, then the
	// 401 surfaces instead of a loop.
	s.reject = true
	_, err = c.Do(context.Background(), op(true), nil)
	require.ErrorIs(t, err, restrict.ErrUnauthorized)
	require.EqualValues(t, 3, s.logins.Load())
}

func TestFailedLoginIsNotRetriedInALoop(t *testing.T) {
	t.Parallel()
	var logins atomic.Int32
	srv := httptestServer(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		logins.Add(1)
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"message":"bad password"}`)
	}))
	var c *transport.Client
	login := func(ctx context.Context) (string, error) {
		var out struct{ Token string }
		_, err := c.Do(ctx, &transport.Operation{Name: "Login", Method: http.MethodPost, Path: "/login", Idempotent: true,
			Signer: transport.SignerFunc(func(context.Context, *transport.Attempt) error { return nil })}, &out)
		return out.Token, err
	}
	c = newClient(t, transport.Config{Signer: transport.NewTokenAuth(login, time.Now, nil)}, restrict.WithBaseURL(srv.URL), fast)
	_, err := c.Do(context.Background(), op(true), nil)
	require.ErrorIs(t, err, restrict.ErrUnauthorized)
	var ae *restrict.APIError
	require.ErrorAs(t, err, &ae)
	require.Equal(t, "Login", ae.Operation)
	require.EqualValues(t, 1, logins.Load())
}

func TestWaitingForALoginEndsWithTheCallersContext(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	auth := transport.NewTokenAuth(func(context.Context) (string, error) {
		<-release
		return "tok", nil
	}, time.Now, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := auth.Token(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	close(release)
	tok, err := auth.Token(context.Background())
	require.NoError(t, err)
	require.Equal(t, "tok", tok)
}

func TestJWTExpiry(t *testing.T) {
	t.Parallel()
	exp := time.Unix(1702903088, 0)
	got, ok := transport.JWTExpiry(jwt(exp))
	require.True(t, ok)
	require.True(t, exp.Equal(got))
	for _, bad := range []string{"", "opaque-token", "a.b.c", "a." + base64.RawURLEncoding.EncodeToString([]byte(`{"sub":1}`)) + ".c"} {
		_, ok := transport.JWTExpiry(bad)
		require.False(t, ok, bad)
	}
}
