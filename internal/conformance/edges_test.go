package conformance_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/restricttest"
)

// echoForms are the ways a server may quote a secret back: raw,
// JSON-escaped by Go and by PHP, HTML-escaped with numeric and named
// entities, URL-encoded for a query and a path, and in base64.
func echoForms(secret string) []string {
	j, _ := json.Marshal(secret)
	js := string(j[1 : len(j)-1])
	unescaped := strings.NewReplacer(`\u0026`, "&", `\u003c`, "<", `\u003e`, ">").Replace(js)
	return []string{
		secret,
		js,
		strings.ReplaceAll(unescaped, "/", `\/`),
		html.EscapeString(secret),
		strings.NewReplacer("&#34;", "&quot;", "&#39;", "&#x27;").Replace(html.EscapeString(secret)),
		url.QueryEscape(secret),
		url.PathEscape(secret),
		base64.StdEncoding.EncodeToString([]byte(secret)),
	}
}

// requireNoFragment fails when text holds any form of any secret, or 8
// consecutive characters of one as it is or in base64: half a key leaks as
// surely as a whole one.
func requireNoFragment(t *testing.T, text string, secrets []string, msg string) {
	t.Helper()
	for _, s := range secrets {
		for _, f := range echoForms(s) {
			require.NotContains(t, text, f, "%s: a secret", msg)
		}
		for _, f := range []string{s, base64.StdEncoding.EncodeToString([]byte(s))} {
			for i := 0; i+8 <= len(f); i++ {
				require.NotContains(t, text, f[i:i+8], "%s: a fragment of a secret (%q of %q)", msg, f[i:i+8], f)
			}
		}
	}
}

// printed is every way an error reaches a person: Error, the fmt verbs,
// its JSON, and what its Unwrap chain prints.
func printed(err error) string {
	b, _ := json.Marshal(err)
	out := fmt.Sprintf("%s\n%v\n%+v\n%#v\n%s\n", err.Error(), err, err, err, b)
	for e := errors.Unwrap(err); e != nil; e = errors.Unwrap(e) {
		out += fmt.Sprintf("%v %#v\n", e, e)
	}
	return out
}

// An error page that quotes a credential, in any form and wherever the
// excerpt would be cut, leaves no part of it in the error or the logs.
func TestEchoedCredentialsAreScrubbedBeforeTheExcerptIsCut(t *testing.T) {
	t.Parallel()
	for _, s := range subjects {
		s := s
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			e := s.start(t)
			for _, secret := range e.secrets {
				for _, form := range echoForms(secret) {
					for _, pad := range []int{0, 40, 60, 70, 75, 79} {
						page := "<html><body><p>" + strings.Repeat("x", pad) + form + " was rejected</p></body></html>"
						h := newHarness(t, fastRetry, 0)
						c, err := e.newClient(h.opts...)
						require.NoError(t, err)
						e.fake.Inject(restricttest.Fault{Status: http.StatusUnauthorized, ContentType: "text/html", Body: page, Times: 1})
						_, err = c.Restrict(context.Background(), e.target)
						require.ErrorIs(t, err, restrict.ErrUnauthorized)
						requireNoFragment(t, printed(err)+h.logs.String()+h.tel.Text(t), e.secrets, fmt.Sprintf("form %q at %d", form, pad))
					}
				}
			}
		})
	}
}

// net/http quotes a malformed answer line verbatim in its error; a server
// (or a proxy) that puts a credential there must not get it into the
// error, whichever way it is printed or unwrapped, nor into the log.
func TestNetworkErrorsQuotingCredentialsAreScrubbed(t *testing.T) {
	t.Parallel()
	for _, s := range subjects {
		s := s
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			e := s.start(t)
			var quoted []string
			for _, secret := range e.secrets {
				// As net/http writes it (%q), and every form a server
				// may have put in the line.
				quoted = append(quoted, fmt.Sprintf("%q", secret))
				quoted = append(quoted, echoForms(secret)...)
			}
			broken := roundTripFunc(func(*http.Request) (*http.Response, error) {
				return nil, fmt.Errorf("net/http: HTTP/1.x transport connection broken: malformed MIME header line: %s", strings.Join(quoted, " "))
			})
			h := newHarness(t, fastRetry, 0)
			c, err := e.newClient(append(h.opts, restrict.WithHTTPClient(&http.Client{Transport: broken}))...)
			require.NoError(t, err)
			_, err = c.Restrict(context.Background(), e.target)
			require.ErrorIs(t, err, restrict.ErrUnavailable)
			require.Contains(t, err.Error(), "malformed MIME header line")
			requireNoFragment(t, printed(err)+h.logs.String()+h.tel.Text(t), e.secrets, "network error")
		})
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// With a RoundTripper that is not net/http's, nothing tells whether a
// failed request reached the provider: it is taken to have, and a call
// that must not run twice (a refund, a create) is sent once.
func TestNonIdempotentCallsAreNotRepeatedWhenUnsure(t *testing.T) {
	t.Parallel()
	for _, s := range subjects {
		s := s
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			e := s.start(t)
			if e.once == nil {
				// kpayment and walletplatform document no call that must
				// not be repeated.
				require.Contains(t, []string{"kpayment", "walletplatform"}, s.name)
				return
			}
			var sent atomic.Int32
			lost := roundTripFunc(func(*http.Request) (*http.Response, error) {
				sent.Add(1)
				return nil, errors.New("read tcp 10.0.0.1:443: connection reset by peer")
			})
			err := e.once(context.Background(), restrict.WithHTTPClient(&http.Client{Transport: lost}), restrict.WithRetry(fastRetry))
			require.ErrorIs(t, err, restrict.ErrUnavailable)
			require.EqualValues(t, 1, sent.Load(), "sent once")
		})
	}
}

// A 404 that is not the provider's own "no such customer" says the
// address is wrong: ErrInvalidRequest, never ErrNotFound, not retried. The
// provider's documented not-found answer keeps matching ErrNotFound.
func TestBare404IsAWrongAddressNotAMissingCustomer(t *testing.T) {
	t.Parallel()
	bodies := map[string]restricttest.Fault{
		"Go":     {Status: 404, ContentType: "text/plain; charset=utf-8", Body: "404 page not found\n"},
		"nginx":  {Status: 404, ContentType: "text/html", Body: "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"},
		"NestJS": {Status: 404, ContentType: "application/json", Body: `{"statusCode":404,"message":"Cannot POST /v2/customer/suspend","error":"Not Found"}`},
		"Spring": {Status: 404, ContentType: "application/json", Body: `{"timestamp":"2026-11-30T10:00:00.000+00:00","status":404,"error":"Not Found","path":"/api/x"}`},
	}
	for _, s := range subjects {
		s := s
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			e := s.start(t)
			for name, fault := range bodies {
				h := newHarness(t, fastRetry, 0)
				c, err := e.newClient(h.opts...)
				require.NoError(t, err)
				before := e.fake.Requests()
				fault.Times = 1
				e.fake.Inject(fault)
				_, err = c.Restrict(context.Background(), e.target)
				require.ErrorIs(t, err, restrict.ErrInvalidRequest, name)
				require.NotErrorIs(t, err, restrict.ErrNotFound, name)
				require.Contains(t, err.Error(), "HTTP 404", name)
				require.Contains(t, err.Error(), "the base URL or path is likely wrong", name)
				require.Equal(t, 1, e.fake.Requests()-before, "%s: not retried", name)
			}
			if e.unknown == (restrict.Target{}) {
				// myKaarma documents no not-found answer for this call.
				require.Equal(t, "kpayment", s.name)
				return
			}
			c, err := e.newClient(restrict.WithRetry(fastRetry))
			require.NoError(t, err)
			_, err = c.Restrict(context.Background(), e.unknown)
			require.ErrorIs(t, err, restrict.ErrNotFound, "the provider's own not-found")
		})
	}
}

// Credentials that cannot travel in an HTTP header are refused by New,
// naming the field, instead of failing every call later as a retryable
// outage.
func TestNewRefusesCredentialsThatCannotTravelInAHeader(t *testing.T) {
	t.Parallel()
	for _, s := range subjects {
		s := s
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			e := s.start(t)
			require.NotEmpty(t, e.credentials)
			for _, cred := range e.credentials {
				for _, bad := range []string{"good-part\r\nX-Injected: 1", "good-part\nmore", "good\x00part", "good\x7fpart", "  "} {
					err := cred.with(bad)
					require.ErrorIs(t, err, restrict.ErrInvalidRequest, "%s %q", cred.field, bad)
					var ae *restrict.APIError
					require.ErrorAs(t, err, &ae)
					require.Contains(t, ae.Fields, cred.field, "%s %q: %v", cred.field, bad, err)
					require.Equal(t, "New", ae.Operation)
				}
			}
		})
	}
}

// A Retry-After too large to parse as an integer is a very long wait:
// ErrRateLimited at once, with a large RetryAfter.
func TestRetryAfterBeyondAnInteger(t *testing.T) {
	t.Parallel()
	for _, s := range subjects {
		s := s
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			e := s.start(t)
			c, err := e.newClient(restrict.WithRetry(restrict.RetryPolicy{MaxAttempts: 3, MinWait: time.Millisecond, MaxWait: time.Second}))
			require.NoError(t, err)
			e.fake.Inject(restricttest.Fault{Status: http.StatusTooManyRequests, Header: http.Header{"Retry-After": {"99999999999999999999"}}})
			start := time.Now()
			_, err = c.Restrict(context.Background(), e.target)
			require.ErrorIs(t, err, restrict.ErrRateLimited)
			var ae *restrict.APIError
			require.ErrorAs(t, err, &ae)
			require.Greater(t, ae.RetryAfter, 100*365*24*time.Hour)
			require.Equal(t, 1, e.fake.Requests(), "not retried")
			require.Less(t, time.Since(start), 2*time.Second)
		})
	}
}
