package transport

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/restrictkit/restrict"
)

// loginTimeout bounds a shared login, which runs detached from the context
// of the caller that happened to start it.
const loginTimeout = time.Minute

// TokenAuth is a Renewer for providers that issue a bearer token from a
// login call. It logs in on first use, caches the token until shortly
// before its JWT "exp" (read, not verified; see renewAt), shares one login
// among all concurrent callers, and sends Authorization: Bearer <token>.
// When a call is refused as unauthorized, whether by HTTP 401 or inside a
// 200 answer, it forgets the token so that the one retry logs in again.
type TokenAuth struct {
	login   func(ctx context.Context) (string, error)
	now     func() time.Time
	extra   func(h http.Header)
	secrets *Secrets
	group   singleflight.Group
	mu      sync.Mutex
	token   string
	renewAt time.Time // zero when the token does not say when it expires
}

// Format keeps the cached token out of fmt output.
func (t *TokenAuth) Format(f fmt.State, _ rune) {
	_, _ = io.WriteString(f, "transport.TokenAuth{token: [REDACTED]}")
}

// LogValue keeps the cached token out of slog output.
func (t *TokenAuth) LogValue() slog.Value {
	return slog.StringValue("transport.TokenAuth{token: [REDACTED]}")
}

// Leeway is how long before a token's expiry it is renewed, at most: a
// token that lives less than two Leeways is renewed halfway through its
// life instead, so that even a short-lived one serves many calls.
const Leeway = time.Minute

// renewAt is when a token obtained at issued and expiring at exp should be
// renewed: Leeway before exp, or halfway for a short-lived token.
func renewAt(issued, exp time.Time) time.Time {
	return exp.Add(-min(Leeway, exp.Sub(issued)/2))
}

// NewTokenAuth returns a TokenAuth that calls login for a token. extra, if
// not nil, sets the provider's other headers on every attempt. Every token
// obtained is learnt by secrets (which may be nil), so that it is scrubbed
// for the life of the client.
func NewTokenAuth(login func(ctx context.Context) (string, error), now func() time.Time, extra func(h http.Header), secrets *Secrets) *TokenAuth {
	return &TokenAuth{login: login, now: now, extra: extra, secrets: secrets}
}

// Sign sets the bearer token, logging in first if there is no fresh one.
func (t *TokenAuth) Sign(ctx context.Context, a *Attempt) error {
	tok, err := t.Token(ctx)
	if err != nil {
		return err
	}
	a.Header.Set("Authorization", "Bearer "+tok)
	if t.extra != nil {
		t.extra(a.Header)
	}
	return nil
}

// Renew forgets the token a rejected attempt carried, so the next attempt
// logs in again, when err says the credentials were refused
// (restrict.ErrUnauthorized). It then allows the one retry: if another
// caller already renewed the token, the retry uses that one.
func (t *TokenAuth) Renew(rejected *Attempt, err error) bool {
	if !errors.Is(err, restrict.ErrUnauthorized) {
		return false
	}
	used := strings.TrimPrefix(rejected.Header.Get("Authorization"), "Bearer ")
	t.mu.Lock()
	if t.token == used {
		t.token = ""
	}
	t.mu.Unlock()
	return true
}

func (t *TokenAuth) cached() (string, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.token == "" || !t.renewAt.IsZero() && !t.now().Before(t.renewAt) {
		return "", false
	}
	return t.token, true
}

// Token returns a fresh token, logging in when needed. A caller whose
// context ends stops waiting; the shared login goes on for the others.
func (t *TokenAuth) Token(ctx context.Context) (string, error) {
	if tok, ok := t.cached(); ok {
		return tok, nil
	}
	ch := t.group.DoChan("login", func() (any, error) {
		// A login that finished between our look and this call must not
		// be repeated.
		if tok, ok := t.cached(); ok {
			return tok, nil
		}
		lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), loginTimeout)
		defer cancel()
		issued := t.now()
		tok, err := t.login(lctx)
		if err != nil {
			return "", err
		}
		t.secrets.Learn(tok)
		var at time.Time
		if exp, ok := JWTExpiry(tok); ok {
			at = renewAt(issued, exp)
		}
		t.mu.Lock()
		t.token, t.renewAt = tok, at
		t.mu.Unlock()
		return tok, nil
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			// Every waiter gets its own copy: the transport fills in
			// fields of the error it is handed.
			var ae *restrict.APIError
			if errors.As(r.Err, &ae) {
				cp := *ae
				return "", &cp
			}
			return "", r.Err
		}
		return r.Val.(string), nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// JWTExpiry reads the "exp" claim of a JWT without verifying it: the
// client only needs to know when to log in again.
func JWTExpiry(token string) (time.Time, bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return time.Time{}, false
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return time.Time{}, false
	}
	var claims struct {
		Exp *json.Number `json:"exp"`
	}
	if json.Unmarshal(payload, &claims) != nil || claims.Exp == nil {
		return time.Time{}, false
	}
	f, err := claims.Exp.Float64()
	if err != nil {
		return time.Time{}, false
	}
	sec := int64(f)
	return time.Unix(sec, int64((f-float64(sec))*1e9)), true
}
