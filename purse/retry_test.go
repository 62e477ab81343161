package purse_test

import (
	"encoding/json"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/purse"
)

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

// TestRetryRenewsTimestampAndSignature: a retry must not replay a stale
// timestamp; each attempt is signed over its own bytes.
func TestRetryRenewsTimestampAndSignature(t *testing.T) {
	t.Parallel()
	var ticks atomic.Int64
	// Every read of the clock is a minute later than the one before.
	clock := func() time.Time { return epoch.Add(time.Duration(ticks.Add(1)) * time.Minute) }
	c, _, rec := newMocked(t, []answer{
		{Status: 503, Body: `{"errorCode":"000","message":"Internal server error"}`},
		{Status: 200, Body: customerJSON},
	}, fastRetry, restrict.WithClock(clock))
	cust, err := c.BlockCustomer(ctx(), "7b5c1f0e-2a3d-4e5f-8a9b-0c1d2e3f4a5b")
	require.NoError(t, err)
	require.Equal(t, 2, cust.Attempts)
	reqs := rec.requests()
	require.Len(t, reqs, 2)
	first, second := parse(t, reqs[0].Body), parse(t, reqs[1].Body)
	require.Greater(t, second.Timestamp, first.Timestamp)
	require.JSONEq(t, `{"customerId":"7b5c1f0e-2a3d-4e5f-8a9b-0c1d2e3f4a5b"}`, string(first.Payload))
	require.JSONEq(t, string(first.Payload), string(second.Payload))
	for _, r := range reqs {
		require.Equal(t, hmacHex(testSecret, r.Body), r.Header.Get("Sign"))
	}
	require.NotEqual(t, reqs[0].Header.Get("Sign"), reqs[1].Header.Get("Sign"))
}

func dateHeader(t time.Time) http.Header {
	return http.Header{"Date": {t.UTC().Format(http.TimeFormat)}}
}

var invalidTimestamp = `{"errorCode":"011","message":"Invalid timestamp"}`

// TestClockSkewIsCorrectedOnce: the client's clock is ten minutes behind
// the server's; the server refuses the timestamp and its Date shows by how
// much, so the client learns the offset and sends the call once more.
func TestClockSkewIsCorrectedOnce(t *testing.T) {
	t.Parallel()
	server := epoch.Add(10 * time.Minute)
	c, _, rec := newMocked(t, []answer{
		{Status: 400, Body: invalidTimestamp, Header: dateHeader(server)},
		{Status: 200, Body: customerJSON},
	}, noRetry)
	require.Zero(t, c.ClockOffset())
	cust, err := c.BlockCustomer(ctx(), "7b5c1f0e-2a3d-4e5f-8a9b-0c1d2e3f4a5b")
	require.NoError(t, err)
	require.Equal(t, 2, cust.Attempts)
	require.Equal(t, 10*time.Minute, c.ClockOffset())
	reqs := rec.requests()
	require.Len(t, reqs, 2)
	require.Equal(t, epoch.UnixMilli(), parse(t, reqs[0].Body).Timestamp)
	require.Equal(t, server.UnixMilli(), parse(t, reqs[1].Body).Timestamp)
	require.Equal(t, hmacHex(testSecret, reqs[1].Body), reqs[1].Header.Get("Sign"))

	// Later calls are dated right from the start.
	_, err = c.GetCustomer(ctx(), "7b5c1f0e-2a3d-4e5f-8a9b-0c1d2e3f4a5b")
	require.NoError(t, err)
	reqs = rec.requests()
	require.Len(t, reqs, 3)
	require.Equal(t, server.UnixMilli(), parse(t, reqs[2].Body).Timestamp)
}

func TestClockSkewRetriedOnlyOnce(t *testing.T) {
	t.Parallel()
	c, mt, _ := newMocked(t, []answer{
		{Status: 400, Body: invalidTimestamp, Header: dateHeader(epoch.Add(-10 * time.Minute))},
		{Status: 400, Body: invalidTimestamp, Header: dateHeader(epoch.Add(-10 * time.Minute))},
	}, noRetry)
	_, err := c.CreateCustomer(ctx(), purse.CreateCustomerRequest{Email: "a@b.c"})
	require.ErrorIs(t, err, restrict.ErrInvalidRequest)
	var ae *restrict.APIError
	require.ErrorAs(t, err, &ae)
	require.Equal(t, "011", ae.Code)
	require.Equal(t, 2, ae.Attempts)
	require.Contains(t, ae.Message, "clock is off")
	require.Equal(t, 2, mt.GetTotalCallCount())
	require.Equal(t, -10*time.Minute, c.ClockOffset())
}

func TestSmallOrUnknownSkewIsNotRetried(t *testing.T) {
	t.Parallel()
	for name, h := range map[string]http.Header{
		"NoDate":    nil,
		"BadDate":   {"Date": {"yesterday"}},
		"SmallSkew": dateHeader(epoch.Add(30 * time.Second)),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, mt, _ := newMocked(t, []answer{{Status: 400, Body: invalidTimestamp, Header: h}}, noRetry)
			_, err := c.BlockCustomer(ctx(), "7b5c1f0e-2a3d-4e5f-8a9b-0c1d2e3f4a5b")
			require.ErrorIs(t, err, restrict.ErrInvalidRequest)
			require.Contains(t, err.Error(), "clock is off")
			require.Equal(t, 1, mt.GetTotalCallCount())
			require.Zero(t, c.ClockOffset())
		})
	}
}

func TestSkewOnOtherCodesIsIgnored(t *testing.T) {
	t.Parallel()
	c, mt, _ := newMocked(t, []answer{{Status: 400, Body: `{"errorCode":"003","message":"Wrong sign"}`,
		Header: dateHeader(epoch.Add(time.Hour))}}, noRetry)
	_, err := c.BlockCustomer(ctx(), "7b5c1f0e-2a3d-4e5f-8a9b-0c1d2e3f4a5b")
	require.ErrorIs(t, err, restrict.ErrUnauthorized)
	require.Equal(t, 1, mt.GetTotalCallCount())
	require.Zero(t, c.ClockOffset())
}

// TestClockOffsetIsUnlearned: once the server's clock agrees with ours
// again, a learned offset is dropped the same way it was learned.
func TestClockOffsetIsUnlearned(t *testing.T) {
	t.Parallel()
	c, _, rec := newMocked(t, []answer{
		{Status: 400, Body: invalidTimestamp, Header: dateHeader(epoch.Add(10 * time.Minute))},
		{Status: 200, Body: customerJSON},
		{Status: 400, Body: invalidTimestamp, Header: dateHeader(epoch)},
		{Status: 200, Body: customerJSON},
	}, noRetry)
	_, err := c.GetCustomer(ctx(), "7b5c1f0e-2a3d-4e5f-8a9b-0c1d2e3f4a5b")
	require.NoError(t, err)
	require.Equal(t, 10*time.Minute, c.ClockOffset())
	_, err = c.GetCustomer(ctx(), "7b5c1f0e-2a3d-4e5f-8a9b-0c1d2e3f4a5b")
	require.NoError(t, err)
	require.Zero(t, c.ClockOffset())
	reqs := rec.requests()
	require.Len(t, reqs, 4)
	require.Equal(t, epoch.UnixMilli(), parse(t, reqs[3].Body).Timestamp)
}
