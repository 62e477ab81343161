package customerv2_test

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/customerv2"
	"github.com/restrictkit/restrict/customerv2/customerv2test"
	"github.com/restrictkit/restrict/restricttest"
)

const unauthorizedBody = `{"statusCode":401,"message":"Unauthorized"}`

func TestConcurrentCallsShareOneLogin(t *testing.T) {
	t.Parallel()
	srv := newFake(t, customerv2test.Config{})
	const n = 100
	ids := make([]string, n)
	for i := range ids {
		ids[i] = srv.AddCustomer(customerv2.Customer{}).ID
	}
	c := newFakeClient(t, srv, fakeLoginCreds())

	var wg sync.WaitGroup
	errs := make([]error, n)
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			_, errs[i] = c.Suspend(bg(), ids[i])
		}(i)
	}
	close(start)
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	require.Equal(t, 1, srv.Logins())
	require.Equal(t, n+1, srv.Requests())
	for _, id := range ids {
		got, _ := srv.Customer(id)
		require.True(t, got.Suspended())
	}
}

func TestReloginBeforeExpiry(t *testing.T) {
	t.Parallel()
	clk := newClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	srv := newFake(t, customerv2test.Config{TokenLifetime: 10 * time.Minute, Clock: clk.Now})
	id := srv.AddCustomer(customerv2.Customer{}).ID
	c := newFakeClient(t, srv, fakeLoginCreds(), restrict.WithClock(clk.Now))

	_, err := c.CustomerDetails(bg(), id)
	require.NoError(t, err)
	require.Equal(t, 1, srv.Logins())

	// Still more than a minute left: the cached token is used.
	clk.Advance(8*time.Minute + 59*time.Second)
	_, err = c.CustomerDetails(bg(), id)
	require.NoError(t, err)
	require.Equal(t, 1, srv.Logins())

	// Within the last minute before exp: log in again before calling,
	// though the fake would still accept the old token.
	clk.Advance(2 * time.Second)
	_, err = c.CustomerDetails(bg(), id)
	require.NoError(t, err)
	require.Equal(t, 2, srv.Logins())
	require.Equal(t, 5, srv.Requests(), "two logins, three calls, none refused")

	_, err = c.CustomerDetails(bg(), id)
	require.NoError(t, err)
	require.Equal(t, 2, srv.Logins())
}

func TestExpiredTokenRefusedByFakeRenewsOnce(t *testing.T) {
	t.Parallel()
	// The client's clock lags the fake's: it believes its token fresh, the
	// fake finds it expired and answers 401, and the client logs in again.
	clientClock := newClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	fakeClock := newClock(clientClock.Now())
	srv := newFake(t, customerv2test.Config{TokenLifetime: 10 * time.Minute, Clock: fakeClock.Now})
	id := srv.AddCustomer(customerv2.Customer{}).ID
	c := newFakeClient(t, srv, fakeLoginCreds(), restrict.WithClock(clientClock.Now))

	_, err := c.CustomerDetails(bg(), id)
	require.NoError(t, err)
	fakeClock.Advance(11 * time.Minute)
	res, err := c.CustomerDetails(bg(), id)
	require.NoError(t, err)
	require.Equal(t, 2, srv.Logins())
	require.Equal(t, 2, res.Attempts, "the refused attempt and the renewed one")
}

func TestReloginOnceOn401(t *testing.T) {
	t.Parallel()
	srv := newFake(t, customerv2test.Config{})
	id := srv.AddCustomer(customerv2.Customer{}).ID
	c := newFakeClient(t, srv, fakeLoginCreds())

	_, err := c.CustomerDetails(bg(), id)
	require.NoError(t, err)
	srv.RevokeTokens()
	_, err = c.Suspend(bg(), id)
	require.NoError(t, err)
	require.Equal(t, 2, srv.Logins())
	got, _ := srv.Customer(id)
	require.True(t, got.Suspended())
}

func TestSecond401SurfacesAsUnauthorized(t *testing.T) {
	t.Parallel()
	srv := newFake(t, customerv2test.Config{})
	id := srv.AddCustomer(customerv2.Customer{}).ID
	c := newFakeClient(t, srv, fakeLoginCreds())
	_, err := c.CustomerDetails(bg(), id)
	require.NoError(t, err)
	before := srv.Requests()

	refuse := restricttest.Fault{Status: http.StatusUnauthorized, Body: unauthorizedBody, ContentType: "application/json", Times: 1}
	// The call is refused, the login goes through, the retried call is
	// refused again.
	srv.Inject(refuse, restricttest.Fault{Times: 1}, refuse)
	_, err = c.Suspend(bg(), id)
	ae := requireAPIError(t, err, restrict.ErrUnauthorized)
	require.Equal(t, "Suspend", ae.Operation)
	require.Equal(t, http.StatusUnauthorized, ae.StatusCode)
	require.Equal(t, "Unauthorized", ae.Message)
	require.Equal(t, 2, ae.Attempts)
	require.Equal(t, 2, srv.Logins(), "the first login and exactly one renewal")
	require.Equal(t, before+3, srv.Requests())
	got, _ := srv.Customer(id)
	require.False(t, got.Suspended())
}

func TestAPIKeyMode401IsNotRetried(t *testing.T) {
	t.Parallel()
	srv := newFake(t, customerv2test.Config{})
	id := srv.AddCustomer(customerv2.Customer{}).ID
	c := newFakeClient(t, srv, customerv2.Credentials{APIKey: "wrong-key-0123456789"})
	_, err := c.Suspend(bg(), id)
	ae := requireAPIError(t, err, restrict.ErrUnauthorized)
	require.Equal(t, 1, ae.Attempts)
	require.Equal(t, 1, srv.Requests())
	require.Equal(t, 0, srv.Logins())
	require.NotContains(t, err.Error(), "wrong-key-0123456789")
}

func TestWrongPasswordAgainstFake(t *testing.T) {
	t.Parallel()
	srv := newFake(t, customerv2test.Config{})
	creds := fakeLoginCreds()
	creds.Password = "not-the-password-42"
	c := newFakeClient(t, srv, creds)
	for i := 0; i < 2; i++ {
		_, err := c.Suspend(bg(), "00000000-0000-4000-8000-00000000dead")
		ae := requireAPIError(t, err, restrict.ErrUnauthorized)
		require.Equal(t, "Login", ae.Operation)
		require.Equal(t, "Invalid credentials", ae.Message)
		require.NotContains(t, err.Error(), "not-the-password-42")
	}
	require.Equal(t, 2, srv.Logins(), "each call tries one login, never a loop")
	require.Equal(t, 2, srv.Requests())
}

func TestLoginRetriedOn503(t *testing.T) {
	t.Parallel()
	srv := newFake(t, customerv2test.Config{})
	id := srv.AddCustomer(customerv2.Customer{}).ID
	c := newFakeClient(t, srv, fakeLoginCreds())
	srv.Inject(restricttest.Fault{Status: http.StatusServiceUnavailable, Body: "busy", Times: 1})
	_, err := c.Suspend(bg(), id)
	require.NoError(t, err)
	require.Equal(t, 1, srv.Logins())
	require.Equal(t, 3, srv.Requests())
}

// KunaCore's NestJS body may come with HTTP 200: a token refused inside it
// is renewed exactly as one refused with 401, once.
func TestInBand401RenewsOnce(t *testing.T) {
	t.Parallel()
	srv := newFake(t, customerv2test.Config{})
	id := srv.AddCustomer(customerv2.Customer{}).ID
	c := newFakeClient(t, srv, fakeLoginCreds())
	_, err := c.CustomerDetails(bg(), id)
	require.NoError(t, err)

	inBand := restricttest.Fault{Status: http.StatusOK, Body: unauthorizedBody, ContentType: "application/json", Times: 1}
	srv.Inject(inBand)
	res, err := c.Suspend(bg(), id)
	require.NoError(t, err)
	require.Equal(t, 2, res.Attempts)
	require.Equal(t, 2, srv.Logins(), "one renewal")
	got, _ := srv.Customer(id)
	require.True(t, got.Suspended())

	// Refused again after the renewal: ErrUnauthorized, not a loop.
	srv.Inject(inBand, restricttest.Fault{Times: 1}, inBand)
	_, err = c.CustomerDetails(bg(), id)
	ae := requireAPIError(t, err, restrict.ErrUnauthorized)
	require.Equal(t, http.StatusOK, ae.StatusCode)
	require.Equal(t, 3, srv.Logins())
}
