package purse_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/testkit"
	"github.com/restrictkit/restrict/purse"
	"github.com/restrictkit/restrict/purse/pursetest"
)

const (
	testAccount = "0x00000000000000000000000000000000000000aa"
	testKey     = "test-key-0001"
	testSecret  = "test-secret-0001"
	apiBase     = "https://api.calypso.finance/api/v1/customer-purse"

	// custID and txID are the customer and transaction of the wire tests.
	custID = "7b5c1f0e-2a3d-4e5f-8a9b-0c1d2e3f4a5b"
	txID   = "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a"
	// unknownID is a well-formed customer ID no fake knows.
	unknownID = "00000000-0000-4000-8000-00000000dead"
)

// customerJSON is Calypso's customer object for custID, not blocked, and
// wantCustomer what it decodes to.
const customerJSON = `{"id":"` + custID + `","email":"a@b.c","description":"d","externalId":"x-1","blocked":false}`

var wantCustomer = purse.Customer{ID: custID, Email: "a@b.c", Description: "d", ExternalID: "x-1", Meta: restrict.Meta{StatusCode: 200, Attempts: 1}}

// blockedJSON is the same customer, blocked.
const blockedJSON = `{"id":"` + custID + `","email":"a@b.c","description":"d","externalId":"x-1","blocked":true}`

// epoch is the fixed clock of most tests: 1700000000000 ms.
var epoch = time.UnixMilli(1700000000000)

func fixedClock() func() time.Time { return func() time.Time { return epoch } }

var testCreds = purse.Credentials{Account: testAccount, Key: testKey, Secret: testSecret}

// fastRetry is three attempts with millisecond waits.
var fastRetry = restrict.WithRetry(restrict.RetryPolicy{MaxAttempts: 3, MinWait: time.Millisecond, MaxWait: 10 * time.Millisecond})

// noRetry makes error tests see exactly one attempt.
var noRetry = restrict.WithRetry(restrict.RetryPolicy{MaxAttempts: 1})

func ctx() context.Context { return context.Background() }

// newMocked returns a client whose every request is answered by answers,
// in order, through a per-test mock transport, on the fixed clock.
func newMocked(t *testing.T, answers []testkit.Answer, opts ...restrict.Option) (*purse.Client, *httpmock.MockTransport, *testkit.Recorder) {
	t.Helper()
	mt := httpmock.NewMockTransport()
	for i := range answers {
		if answers[i].ContentType == "" {
			answers[i].ContentType = "application/json"
		}
	}
	rec := testkit.NewRecorder(answers...)
	mt.RegisterNoResponder(rec.Respond)
	all := append([]restrict.Option{restrict.WithHTTPClient(&http.Client{Transport: mt}), restrict.WithClock(fixedClock())}, opts...)
	c, err := purse.New(testCreds, all...)
	require.NoError(t, err)
	return c, mt, rec
}

// newFake returns a client of a fake that accepts testCreds.
func newFake(t *testing.T, opts ...restrict.Option) (*purse.Client, *pursetest.Server) {
	t.Helper()
	srv := pursetest.NewServer(testCreds)
	t.Cleanup(srv.Close)
	c, err := purse.New(testCreds, append([]restrict.Option{restrict.WithBaseURL(srv.BaseURL()), fastRetry}, opts...)...)
	require.NoError(t, err)
	return c, srv
}

// hmacHex is the signature computed independently of the package.
func hmacHex(secret string, body []byte) string {
	m := hmac.New(sha512.New, []byte(secret))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// envelope is a request body as Calypso reads it.
type envelope struct {
	Account   string          `json:"account"`
	Timestamp int64           `json:"timestamp"`
	Payload   json.RawMessage `json:"payload"`
}

func parse(t *testing.T, body []byte) envelope {
	t.Helper()
	var e envelope
	require.NoError(t, json.Unmarshal(body, &e))
	return e
}

// requireSignedEnvelope checks one request: a POST to path with Key, a
// Sign over its exact bytes, and the envelope around payload.
func requireSignedEnvelope(t *testing.T, r testkit.Request, path, payload string) {
	t.Helper()
	require.Equal(t, http.MethodPost, r.Method)
	require.Equal(t, apiBase+path, r.URL.String())
	require.JSONEq(t, `{"account":"`+testAccount+`","timestamp":1700000000000,"payload":`+payload+`}`, string(r.Body))
	require.Equal(t, testKey, r.Header.Get("Key"))
	require.Equal(t, hmacHex(testSecret, r.Body), r.Header.Get("Sign"))
	require.Equal(t, "application/json", r.Header.Get("Content-Type"))
}

// requireFieldError checks an input error: ErrInvalidRequest, naming the
// field, reported by op, with nothing sent.
func requireFieldError(t *testing.T, err error, op, field string) {
	t.Helper()
	require.ErrorIs(t, err, restrict.ErrInvalidRequest)
	var ae *restrict.APIError
	require.True(t, errors.As(err, &ae), "%T %v", err, err)
	require.Equal(t, purse.Provider, ae.Provider)
	require.Equal(t, op, ae.Operation)
	require.Contains(t, ae.Fields, field)
	require.Contains(t, err.Error(), field)
	require.Zero(t, ae.Attempts)
}

func dateHeader(t time.Time) http.Header {
	return http.Header{"Date": {t.UTC().Format(http.TimeFormat)}}
}
