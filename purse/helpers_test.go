package purse_test

import (
	"crypto/hmac"
	"crypto/sha512"
	"encoding/hex"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/purse"
)

const (
	testAccount = "0x00000000000000000000000000000000000000aa"
	testKey     = "test-key-0001"
	testSecret  = "test-secret-0001"
	apiBase     = "https://api.calypso.finance/api/v1/customer-purse"
)

// epoch is the fixed clock of most tests: 1700000000000 ms.
var epoch = time.UnixMilli(1700000000000)

func fixedClock() func() time.Time { return func() time.Time { return epoch } }

var testCreds = purse.Credentials{Account: testAccount, Key: testKey, Secret: testSecret}

// fastRetry is the retry policy of the brief: three attempts, millisecond
// waits.
var fastRetry = restrict.WithRetry(restrict.RetryPolicy{MaxAttempts: 3, MinWait: time.Millisecond, MaxWait: 10 * time.Millisecond})

// noRetry makes error tests see exactly one attempt.
var noRetry = restrict.WithRetry(restrict.RetryPolicy{MaxAttempts: 1})

// sent is one request as the mock saw it.
type sent struct {
	Method string
	URL    string
	Header http.Header
	Body   []byte
}

// answer is a canned reply.
type answer struct {
	Status int
	Body   string
	Header http.Header
}

// recorder answers requests in order (repeating the last) and keeps them.
type recorder struct {
	mu      sync.Mutex
	reqs    []sent
	answers []answer
}

func (r *recorder) respond(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reqs = append(r.reqs, sent{Method: req.Method, URL: req.URL.String(), Header: req.Header.Clone(), Body: body})
	a := r.answers[min(len(r.reqs), len(r.answers))-1]
	resp := httpmock.NewStringResponse(a.Status, a.Body)
	for k, v := range a.Header {
		resp.Header[k] = v
	}
	resp.Header.Set("Content-Type", "application/json")
	return resp, nil
}

func (r *recorder) requests() []sent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]sent(nil), r.reqs...)
}

// newMocked returns a client whose every request is answered by answers,
// in order, through a per-test mock transport.
func newMocked(t *testing.T, answers []answer, opts ...restrict.Option) (*purse.Client, *httpmock.MockTransport, *recorder) {
	t.Helper()
	mt := httpmock.NewMockTransport()
	rec := &recorder{answers: answers}
	mt.RegisterNoResponder(rec.respond)
	all := append([]restrict.Option{restrict.WithHTTPClient(&http.Client{Transport: mt}), restrict.WithClock(fixedClock())}, opts...)
	c, err := purse.New(testCreds, all...)
	require.NoError(t, err)
	return c, mt, rec
}

// hmacHex is the signature computed independently of the package.
func hmacHex(secret string, body []byte) string {
	m := hmac.New(sha512.New, []byte(secret))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}
