package purse_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/testkit"
	"github.com/restrictkit/restrict/purse"
)

func TestSignDocumentedVector(t *testing.T) {
	t.Parallel()
	// From docs.calypso.finance/reference/authentification; the full hex
	// computed with python3 hmac/hashlib, whose first 64 characters are the
	// documented ones.
	const want = "b16e9d45f49f2069becbc4f108b237bee588cfc353fe9501df103e692acbc68d" +
		"482a10d34c12bea22fedde7e28e1b8e57a6a0a373b0e9a27c5257bd8b36e13b9"
	require.Equal(t, want, purse.Sign("b823a6b9ea72408583cef9ec8d67fa52", []byte(`{"timestamp":1}`)))
}

// TestWireBlockCustomerGolden pins one request byte for byte, signature
// included (computed with python3 hmac).
func TestWireBlockCustomerGolden(t *testing.T) {
	t.Parallel()
	c, _, rec := newMocked(t, []testkit.Answer{{Status: 200, Body: blockedJSON}})
	_, err := c.BlockCustomer(ctx(), purse.BlockCustomerRequest{CustomerID: custID})
	require.NoError(t, err)
	reqs := rec.Requests()
	require.Len(t, reqs, 1)
	require.Equal(t, `{"account":"0x00000000000000000000000000000000000000aa","timestamp":1700000000000,"payload":{"customerId":"7b5c1f0e-2a3d-4e5f-8a9b-0c1d2e3f4a5b"}}`, string(reqs[0].Body))
	require.Equal(t, "fa4a1974e2be530b5108358030035cab888f64f59a1bac4294cda87542943a4b"+
		"87fe82fe4b0b8dbe1f66e78b09dd1e95ae6791c339601c02b0e1e5986c38dbe5", reqs[0].Header.Get("Sign"))
}

// TestSignedBytesAreSentBytes: text that JSON encoders disagree on ("/",
// "<", "&", non-ASCII) is signed exactly as it is sent.
func TestSignedBytesAreSentBytes(t *testing.T) {
	t.Parallel()
	c, _, rec := newMocked(t, []testkit.Answer{{Status: 200, Body: customerJSON}})
	_, err := c.GetCustomerByExternalID(ctx(), purse.GetCustomerByExternalIDRequest{ExternalID: `a/b <c> & "é"`})
	require.NoError(t, err)
	r := rec.Requests()[0]
	require.Equal(t, hmacHex(testSecret, r.Body), r.Header.Get("Sign"))
	require.JSONEq(t, `{"externalId":"a/b <c> & \"é\""}`, string(parse(t, r.Body).Payload))
}

// TestRetryRenewsTimestampAndSignature: a retry must not replay a stale
// timestamp; each attempt is signed over its own bytes.
func TestRetryRenewsTimestampAndSignature(t *testing.T) {
	t.Parallel()
	var ticks atomic.Int64
	// Every read of the clock is a minute later than the one before.
	clock := func() time.Time { return epoch.Add(time.Duration(ticks.Add(1)) * time.Minute) }
	c, _, rec := newMocked(t, []testkit.Answer{
		{Status: 503, Body: `{"errorCode":"000","message":"Internal server error"}`},
		{Status: 200, Body: blockedJSON},
	}, fastRetry, restrict.WithClock(clock))
	cust, err := c.BlockCustomer(ctx(), purse.BlockCustomerRequest{CustomerID: custID})
	require.NoError(t, err)
	require.Equal(t, 2, cust.Attempts)
	reqs := rec.Requests()
	require.Len(t, reqs, 2)
	first, second := parse(t, reqs[0].Body), parse(t, reqs[1].Body)
	require.Greater(t, second.Timestamp, first.Timestamp)
	require.JSONEq(t, `{"customerId":"`+custID+`"}`, string(first.Payload))
	require.JSONEq(t, string(first.Payload), string(second.Payload))
	for _, r := range reqs {
		require.Equal(t, hmacHex(testSecret, r.Body), r.Header.Get("Sign"))
	}
	require.NotEqual(t, reqs[0].Header.Get("Sign"), reqs[1].Header.Get("Sign"))
}

const invalidTimestamp = `{"errorCode":"011","message":"Invalid timestamp"}`

// TestClockSkewIsCorrectedOnce: the client's clock is ten minutes behind
// the server's; the server refuses the timestamp and its Date shows by how
// much, so the client learns the offset and sends the call once more.
func TestClockSkewIsCorrectedOnce(t *testing.T) {
	t.Parallel()
	server := epoch.Add(10 * time.Minute)
	c, _, rec := newMocked(t, []testkit.Answer{
		{Status: 400, Body: invalidTimestamp, Header: dateHeader(server)},
		{Status: 200, Body: blockedJSON},
	}, noRetry)
	require.Zero(t, c.ClockOffset())
	cust, err := c.BlockCustomer(ctx(), purse.BlockCustomerRequest{CustomerID: custID})
	require.NoError(t, err)
	require.Equal(t, 2, cust.Attempts)
	require.Equal(t, 10*time.Minute, c.ClockOffset())
	reqs := rec.Requests()
	require.Len(t, reqs, 2)
	require.Equal(t, epoch.UnixMilli(), parse(t, reqs[0].Body).Timestamp)
	require.Equal(t, server.UnixMilli(), parse(t, reqs[1].Body).Timestamp)
	require.Equal(t, hmacHex(testSecret, reqs[1].Body), reqs[1].Header.Get("Sign"))

	// Later calls are dated right from the start.
	_, err = c.GetCustomer(ctx(), purse.GetCustomerRequest{CustomerID: custID})
	require.NoError(t, err)
	reqs = rec.Requests()
	require.Len(t, reqs, 3)
	require.Equal(t, server.UnixMilli(), parse(t, reqs[2].Body).Timestamp)
}

// TestClockSkewRetriedOnlyOnce: even a create, which is never sent twice
// otherwise, is sent once more after a refused timestamp (the server
// refused it before acting), and never more than once.
func TestClockSkewRetriedOnlyOnce(t *testing.T) {
	t.Parallel()
	c, mt, _ := newMocked(t, []testkit.Answer{
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
			c, mt, _ := newMocked(t, []testkit.Answer{{Status: 400, Body: invalidTimestamp, Header: h}}, noRetry)
			_, err := c.BlockCustomer(ctx(), purse.BlockCustomerRequest{CustomerID: custID})
			require.ErrorIs(t, err, restrict.ErrInvalidRequest)
			require.Contains(t, err.Error(), "clock is off")
			require.Equal(t, 1, mt.GetTotalCallCount())
			require.Zero(t, c.ClockOffset())
		})
	}
}

func TestSkewOnOtherCodesIsIgnored(t *testing.T) {
	t.Parallel()
	c, mt, _ := newMocked(t, []testkit.Answer{{Status: 400, Body: `{"errorCode":"003","message":"Wrong sign"}`,
		Header: dateHeader(epoch.Add(time.Hour))}}, noRetry)
	_, err := c.BlockCustomer(ctx(), purse.BlockCustomerRequest{CustomerID: custID})
	require.ErrorIs(t, err, restrict.ErrUnauthorized)
	require.Equal(t, 1, mt.GetTotalCallCount())
	require.Zero(t, c.ClockOffset())
}

// TestClockOffsetIsUnlearned: once the server's clock agrees with ours
// again, a learned offset is dropped the same way it was learned.
func TestClockOffsetIsUnlearned(t *testing.T) {
	t.Parallel()
	c, _, rec := newMocked(t, []testkit.Answer{
		{Status: 400, Body: invalidTimestamp, Header: dateHeader(epoch.Add(10 * time.Minute))},
		{Status: 200, Body: customerJSON},
		{Status: 400, Body: invalidTimestamp, Header: dateHeader(epoch)},
		{Status: 200, Body: customerJSON},
	}, noRetry)
	_, err := c.GetCustomer(ctx(), purse.GetCustomerRequest{CustomerID: custID})
	require.NoError(t, err)
	require.Equal(t, 10*time.Minute, c.ClockOffset())
	_, err = c.GetCustomer(ctx(), purse.GetCustomerRequest{CustomerID: custID})
	require.NoError(t, err)
	require.Zero(t, c.ClockOffset())
	reqs := rec.Requests()
	require.Len(t, reqs, 4)
	require.Equal(t, epoch.UnixMilli(), parse(t, reqs[3].Body).Timestamp)
}

// TestClockSkewWithinAMinuteOfTheLearnedOffset: a call dated with the
// learned offset and refused all the same is not blamed on the clock: the
// server's Date agrees with the offset to within a minute, so the call is
// not sent again and the offset stays.
func TestClockSkewWithinAMinuteOfTheLearnedOffset(t *testing.T) {
	t.Parallel()
	c, mt, _ := newMocked(t, []testkit.Answer{
		{Status: 400, Body: invalidTimestamp, Header: dateHeader(epoch.Add(10 * time.Minute))},
		{Status: 200, Body: customerJSON},
		{Status: 400, Body: invalidTimestamp, Header: dateHeader(epoch.Add(10*time.Minute + 30*time.Second))},
	}, noRetry)
	_, err := c.GetCustomer(ctx(), purse.GetCustomerRequest{CustomerID: custID})
	require.NoError(t, err)
	_, err = c.GetCustomer(ctx(), purse.GetCustomerRequest{CustomerID: custID})
	require.ErrorIs(t, err, restrict.ErrInvalidRequest)
	require.Equal(t, 3, mt.GetTotalCallCount())
	require.Equal(t, 10*time.Minute, c.ClockOffset())
}

// TestClockSkewConcurrentCallsAllRetry: calls dated with the old offset
// and refused together each send once more, whichever of them learned the
// new offset first, since each compares with the offset it was dated with.
func TestClockSkewConcurrentCallsAllRetry(t *testing.T) {
	t.Parallel()
	const calls = 4
	server := epoch.Add(10 * time.Minute)
	var (
		mu      sync.Mutex
		arrived int
		all     = make(chan struct{})
	)
	mt := httpmock.NewMockTransport()
	mt.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
		var e envelope
		if err := jsonDecode(req, &e); err != nil {
			return nil, err
		}
		if e.Timestamp == server.UnixMilli() {
			return httpmock.NewStringResponse(200, customerJSON), nil
		}
		// Hold every call dated by the old clock until all have arrived,
		// so that all are refused before any learns the offset.
		mu.Lock()
		arrived++
		if arrived == calls {
			close(all)
		}
		mu.Unlock()
		<-all
		resp := httpmock.NewStringResponse(400, invalidTimestamp)
		resp.Header = dateHeader(server)
		return resp, nil
	})
	c, err := purse.New(testCreds, restrict.WithHTTPClient(&http.Client{Transport: mt}), restrict.WithClock(fixedClock()), noRetry)
	require.NoError(t, err)
	var wg sync.WaitGroup
	errs := make(chan error, calls)
	for range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cust, err := c.GetCustomer(ctx(), purse.GetCustomerRequest{CustomerID: custID})
			if err == nil && cust.Attempts != 2 {
				err = fmt.Errorf("%d attempts", cust.Attempts)
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.Equal(t, 2*calls, mt.GetTotalCallCount())
	require.Equal(t, 10*time.Minute, c.ClockOffset())
}

func jsonDecode(req *http.Request, v any) error {
	defer req.Body.Close()
	return json.NewDecoder(req.Body).Decode(v)
}
