package transport

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// retryClient builds the one retryablehttp.Client a Client sends through.
// Its hooks are shared by all calls, and each finds its own call's state
// in the request's context.
func (c *Client) retryClient() *retryablehttp.Client {
	return &retryablehttp.Client{
		HTTPClient:   perAttempt(c.hc),
		RetryWaitMin: c.opts.MinWait,
		RetryWaitMax: c.opts.MaxWait,
		RetryMax:     c.opts.MaxAttempts - 1,
		CheckRetry: func(ctx context.Context, resp *http.Response, err error) (bool, error) {
			cl := callOf(ctx)
			retry, checkErr := cl.checkRetry(ctx, resp, err)
			if retry {
				cl.noteRetry(resp, err)
			}
			return retry, checkErr
		},
		Backoff: c.backoff,
		PrepareRetry: func(req *http.Request) error {
			cl := callOf(req.Context())
			cl.retryEvent()
			return cl.prepareRetry(req)
		},
		RequestLogHook: func(_ retryablehttp.Logger, req *http.Request, _ int) {
			callOf(req.Context()).started = time.Now()
		},
		// Keep the last answer and error as they are; retryablehttp's
		// default throws the body away and says "giving up".
		ErrorHandler: func(resp *http.Response, err error, _ int) (*http.Response, error) { return resp, err },
	}
}

func (cl *call) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	cl.log(resp, err)
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if err != nil {
		if errors.Is(err, errTooLarge) {
			return false, err
		}
		if retry, _ := retryablehttp.DefaultRetryPolicy(ctx, nil, err); !retry {
			return false, err
		}
		return cl.op.Idempotent || cl.tried.Load() && !cl.connected.Load(), err
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests:
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		// An answer proves the request arrived, whatever httptrace saw:
		// a call that must not run twice is not sent again.
		if !cl.op.Idempotent {
			return false, nil
		}
	case http.StatusInternalServerError:
		return cl.op.Idempotent, nil
	default:
		return false, nil
	}
	// A Retry-After longer than we may wait ends the call now, with the
	// wait reported in the error instead of slept.
	if d, ok := retryAfter(resp.Header, cl.c.opts.Clock()); ok && d > cl.c.opts.MaxWait {
		return false, nil
	}
	return true, nil
}

func (c *Client) backoff(minWait, maxWait time.Duration, n int, resp *http.Response) time.Duration {
	if resp != nil {
		if d, ok := retryAfter(resp.Header, c.opts.Clock()); ok && d <= maxWait {
			return d
		}
	}
	return Backoff(minWait, maxWait, n)
}

// Backoff is the wait before retry n (0 for the first retry): exponential
// from minWait, capped at maxWait, with the upper half jittered so that
// clients that failed together do not retry together.
func Backoff(minWait, maxWait time.Duration, n int) time.Duration {
	d := minWait
	for i := 0; i < n && d < maxWait; i++ {
		d *= 2
	}
	if d > maxWait || d <= 0 {
		d = maxWait
	}
	if half := int64(d / 2); half > 0 {
		d = time.Duration(half + rand.Int64N(half+1))
	}
	if d < minWait {
		d = minWait
	}
	return d
}

// maxRetryAfter caps the wait a Retry-After can ask for: about 146 years,
// far beyond any MaxWait, and far from overflowing a time.Duration.
const maxRetryAfter = time.Duration(1 << 62)

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// retryAfter parses a Retry-After header: delay-seconds or an HTTP date.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := h.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
		if s < 0 {
			return 0, false
		}
		if s > int64(maxRetryAfter/time.Second) {
			s = int64(maxRetryAfter / time.Second)
		}
		return time.Duration(s) * time.Second, true
	}
	if isDigits(strings.TrimSpace(v)) {
		// Seconds too many for an int64: a very long wait, not none.
		return maxRetryAfter, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	d := t.Sub(now)
	if d < 0 {
		d = 0
	}
	return d, true
}
