package transport_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
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
	inBand  bool // refuse a token inside a 200 answer, as SABI and KunaCore do
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
			if s.inBand {
				_, _ = io.WriteString(w, `{"status":false,"statusCode":401,"message":"Unauthorized"}`)
				return
			}
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
	c = newClient(t, transport.Config{Signer: transport.NewTokenAuth(login, clock, func(h http.Header) { h.Set("apiKey", "k") }, nil), Decode: inBandDecode},
		restrict.WithBaseURL(srv.URL), restrict.WithClock(clock), fast)
	return c
}

// inBandDecode reads a refusal inside a 2xx answer, {"status":false,
// "statusCode":401}, as the error it is.
func inBandDecode(res *transport.Response, out any) error {
	var env struct {
		Status     *bool `json:"status"`
		StatusCode int   `json:"statusCode"`
	}
	if transport.IsSuccess(res.StatusCode) && json.Unmarshal(res.Body, &env) == nil && env.Status != nil && !*env.Status {
		return &restrict.APIError{Class: transport.ClassForStatus(env.StatusCode), Message: "refused in band"}
	}
	return transport.DecodeJSON(res, out)
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

// A token refused inside a 200 answer is renewed exactly as one refused
// with HTTP 401: one more login, one more try, then ErrUnauthorized.
func TestLoginAgainOnceOnAnInBand401(t *testing.T) {
	t.Parallel()
	s := &tokenServer{inBand: true, issue: func(n int) string { return jwt(time.Now().Add(time.Hour)) + fmt.Sprint(n) }}
	c := tokenClient(t, s, time.Now)
	_, err := c.Do(context.Background(), op(true), nil)
	require.NoError(t, err)

	s.mu.Lock()
	s.current = "revoked"
	s.mu.Unlock()
	meta, err := c.Do(context.Background(), op(true), nil)
	require.NoError(t, err)
	require.EqualValues(t, 2, s.logins.Load())
	require.Equal(t, 2, meta.Attempts)
	require.Equal(t, 200, meta.StatusCode)

	s.reject = true
	_, err = c.Do(context.Background(), op(true), nil)
	require.ErrorIs(t, err, restrict.ErrUnauthorized)
	require.EqualValues(t, 3, s.logins.Load(), "one renewal, not a loop")
}

// A token that lives a minute or less is still reused: it is renewed
// halfway through its life, not a minute before its end, which would be at
// once.
func TestShortLivedTokenIsReused(t *testing.T) {
	t.Parallel()
	base := time.Unix(1_800_000_000, 0)
	var now atomic.Int64
	now.Store(base.Unix())
	clock := func() time.Time { return time.Unix(now.Load(), 0) }
	s := &tokenServer{issue: func(int) string { return jwt(clock().Add(time.Minute)) }}
	c := tokenClient(t, s, clock)
	for _, at := range []time.Duration{0, 10 * time.Second, 29 * time.Second} {
		now.Store(base.Add(at).Unix())
		_, err := c.Do(context.Background(), op(true), nil)
		require.NoError(t, err)
	}
	require.EqualValues(t, 1, s.logins.Load(), "a 60 s token serves its first 30 s")
	now.Store(base.Add(31 * time.Second).Unix())
	_, err := c.Do(context.Background(), op(true), nil)
	require.NoError(t, err)
	require.EqualValues(t, 2, s.logins.Load(), "and is renewed after half its life")
}

// Every token a login returns is a secret for the life of the client, even
// one that is not shaped like a JWT.
func TestLoggedInTokensAreScrubbed(t *testing.T) {
	t.Parallel()
	const token = "opaque-token-5f1d2c3b4a"
	srv := httptestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/login" {
			_, _ = fmt.Fprintf(w, `{"token":%q}`, token)
			return
		}
		w.WriteHeader(http.StatusBadRequest)
		_, _ = fmt.Fprintf(w, `{"echo":%q}`, url.QueryEscape(r.Header.Get("Authorization")))
	}))
	secrets := transport.NewSecrets()
	var c *transport.Client
	login := func(ctx context.Context) (string, error) {
		var out struct{ Token string }
		_, err := c.Do(ctx, &transport.Operation{Name: "Login", Method: http.MethodPost, Path: "/login", Idempotent: true,
			Signer: transport.SignerFunc(func(context.Context, *transport.Attempt) error { return nil })}, &out)
		return out.Token, err
	}
	c = newClient(t, transport.Config{Signer: transport.NewTokenAuth(login, time.Now, nil, secrets), Secrets: secrets},
		restrict.WithBaseURL(srv.URL), fast)
	_, err := c.Do(context.Background(), op(true), nil)
	require.ErrorIs(t, err, restrict.ErrInvalidRequest)
	require.NotContains(t, err.Error(), "5f1d2c3b4a")
	require.Contains(t, err.Error(), "[REDACTED]")
	require.Equal(t, "x [REDACTED] y", secrets.Scrub("x "+token+" y"))
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
	c = newClient(t, transport.Config{Signer: transport.NewTokenAuth(login, time.Now, nil, nil)}, restrict.WithBaseURL(srv.URL), fast)
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
	}, time.Now, nil, nil)
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
