package restrict

import "context"

// Limiter paces the HTTP requests of provider calls: Wait blocks until one
// request may be sent, or fails when ctx ends first (or would, as
// golang.org/x/time/rate's *Limiter says). *rate.Limiter is one.
type Limiter interface {
	Wait(ctx context.Context) error
}

type limiterKey struct{}

// ContextWithLimiter returns a copy of ctx carrying l. Every HTTP request
// that a provider client sends for a call made with that context waits on
// l first: the first attempt, each retry, and a resend after renewed
// credentials. A login the client runs on the way counts too. So l bounds
// requests, not calls: a provider held to 50 requests a second stays
// there while the SDK retries. A request that l never lets go is not
// sent, and not counted in Meta.Attempts or APIError.Attempts.
func ContextWithLimiter(ctx context.Context, l Limiter) context.Context {
	return context.WithValue(ctx, limiterKey{}, l)
}

// LimiterFromContext returns the Limiter that ContextWithLimiter put in
// ctx, or nil.
func LimiterFromContext(ctx context.Context) Limiter {
	l, _ := ctx.Value(limiterKey{}).(Limiter)
	return l
}
