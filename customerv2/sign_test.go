package customerv2_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/customerv2"
	"github.com/restrictkit/restrict/internal/testkit"
	"github.com/restrictkit/restrict/restricttest"
)

const unauthorizedBody = `{"statusCode":401,"message":"Unauthorized"}`

func TestAPIKeyModeOnTheWire(t *testing.T) {
	t.Parallel()
	c, mt, rec := newMock(t, keyCreds, restrict.WithUserAgent("test-agent"))
	respond(mt, rec, "/v2/customer/suspend", http.StatusCreated, `{"data":{"success":true}}`)

	res, err := c.Suspend(bg(), customerv2.SuspendRequest{ID: customerID})
	require.NoError(t, err)
	require.True(t, res.Success)
	require.Equal(t, http.StatusCreated, res.StatusCode)
	require.Equal(t, 1, res.Attempts)

	reqs := rec.Requests()
	require.Len(t, reqs, 1)
	r := reqs[0]
	require.Equal(t, http.MethodPost, r.Method)
	require.Equal(t, "/v2/customer/suspend", r.URL.EscapedPath())
	require.Empty(t, r.URL.RawQuery)
	require.Equal(t, string(keyCreds.APIKey), r.Header.Get("api-key"))
	require.Empty(t, r.Header.Get("Authorization"))
	require.Empty(t, r.Header.Get("merchant_id"))
	require.Equal(t, "application/json", r.Header.Get("Content-Type"))
	require.Equal(t, "application/json", r.Header.Get("Accept"))
	require.Equal(t, "test-agent", r.Header.Get("User-Agent"))
	require.Equal(t, `{"id":"`+customerID+`"}`, string(r.Body))
}

func TestLoginModeOnTheWire(t *testing.T) {
	t.Parallel()
	c, mt, rec := newMock(t, loginCreds)
	tok := testkit.JWT(farFuture, "1")
	respond(mt, rec, "/v2/auth/login", http.StatusCreated, `{"data":{"accessToken":"`+tok+`"}}`)
	respond(mt, rec, "/v2/customer/suspend", http.StatusOK, `{"data":{"success":true}}`)

	for i := 0; i < 2; i++ {
		_, err := c.Suspend(bg(), customerv2.SuspendRequest{ID: customerID})
		require.NoError(t, err)
	}

	reqs := rec.Requests()
	require.Len(t, reqs, 3, "one login, two calls")
	login := reqs[0]
	require.Equal(t, "/v2/auth/login", login.URL.EscapedPath())
	require.Equal(t, "m-42", login.Header.Get("merchant_id"))
	require.Empty(t, login.Header.Get("Authorization"))
	require.Empty(t, login.Header.Get("api-key"))
	requireJSON(t, `{"email":"ops@example.com","password":"pw-0123456789abcdef"}`, login.Body)
	for _, r := range reqs[1:] {
		require.Equal(t, "/v2/customer/suspend", r.URL.EscapedPath())
		require.Equal(t, "Bearer "+tok, r.Header.Get("Authorization"))
		require.Empty(t, r.Header.Get("merchant_id"), "merchant_id goes on the login call only")
		require.Empty(t, r.Header.Get("api-key"))
		requireJSON(t, `{"id":"`+customerID+`"}`, r.Body)
	}
}

// A token that comes back with its scheme is sent with it once.
func TestLoginTokenWithBearerPrefix(t *testing.T) {
	t.Parallel()
	c, mt, rec := newMock(t, loginCreds)
	tok := testkit.JWT(farFuture, "1")
	respond(mt, rec, "/v2/auth/login", http.StatusCreated, `{"data":{"accessToken":"Bearer `+tok+`"}}`)
	respond(mt, rec, "/v2/customer/suspend", http.StatusOK, `{"data":{"success":true}}`)
	_, err := c.Suspend(bg(), customerv2.SuspendRequest{ID: customerID})
	require.NoError(t, err)
	require.Equal(t, "Bearer "+tok, rec.Requests()[1].Header.Get("Authorization"))
}

func TestLoginRefusedIsUnauthorizedAndNotRepeated(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status int
		body   string
	}{
		{http.StatusUnauthorized, `{"statusCode":401,"message":"Invalid credentials","error":"Unauthorized"}`},
		{http.StatusBadRequest, `{"statusCode":400,"message":["email must be an email"],"error":"Bad Request"}`},
		{http.StatusForbidden, `{"statusCode":403,"message":"Forbidden resource","error":"Forbidden"}`},
	} {
		t.Run(http.StatusText(tc.status), func(t *testing.T) {
			t.Parallel()
			c, mt, rec := newMock(t, loginCreds)
			respond(mt, rec, "/v2/auth/login", tc.status, tc.body)
			respond(mt, rec, "/v2/customer/suspend", http.StatusOK, `{"data":{"success":true}}`)

			_, err := c.Suspend(bg(), customerv2.SuspendRequest{ID: customerID})
			ae := testkit.RequireAPIError(t, err, customerv2.Provider, restrict.ErrUnauthorized)
			require.Equal(t, "Login", ae.Operation)
			require.Equal(t, tc.status, ae.StatusCode)
			require.Empty(t, ae.Code, "KunaCore sends no error code")
			require.NotContains(t, err.Error(), string(loginCreds.Password))
			require.Len(t, rec.Requests(), 1, "one login, no call, no second login")
		})
	}
}

func TestLoginWithoutTokenIsUnavailable(t *testing.T) {
	t.Parallel()
	for _, body := range []string{`{"data":{}}`, `{"data":{"accessToken":""}}`, `{"data":{"accessToken":" "}}`} {
		c, mt, rec := newMock(t, loginCreds)
		respond(mt, rec, "/v2/auth/login", http.StatusOK, body)
		_, err := c.Suspend(bg(), customerv2.SuspendRequest{ID: customerID})
		ae := testkit.RequireAPIError(t, err, customerv2.Provider, restrict.ErrUnavailable)
		require.Contains(t, ae.Message, "accessToken")
		require.Len(t, rec.Requests(), 1)
	}
}

func TestTokenNeverInErrors(t *testing.T) {
	t.Parallel()
	c, mt, rec := newMock(t, loginCreds)
	tok := testkit.JWT(farFuture, "1")
	respond(mt, rec, "/v2/auth/login", http.StatusOK, `{"data":{"accessToken":"`+tok+`"}}`)
	// A provider that echoes the request's credentials back.
	respond(mt, rec, "/v2/customer/details", http.StatusNotFound,
		`{"statusCode":404,"message":"no customer for token `+tok+` / password `+string(loginCreds.Password)+`","error":"Not Found"}`)
	_, err := c.CustomerDetails(bg(), customerv2.CustomerDetailsRequest{ID: unknownID})
	testkit.RequireAPIError(t, err, customerv2.Provider, restrict.ErrNotFound)
	require.NotContains(t, err.Error(), tok)
	require.NotContains(t, err.Error(), strings.Split(tok, ".")[1])
	require.NotContains(t, err.Error(), string(loginCreds.Password))
}

func TestConcurrentCallsShareOneLogin(t *testing.T) {
	t.Parallel()
	srv := newFake(t, fakeLoginCreds())
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
			_, errs[i] = c.Suspend(bg(), customerv2.SuspendRequest{ID: ids[i]})
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
	clk := testkit.NewClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	srv := newFake(t, fakeLoginCreds())
	srv.SetClock(clk.Now)
	srv.SetTokenLifetime(10 * time.Minute)
	id := srv.AddCustomer(customerv2.Customer{}).ID
	c := newFakeClient(t, srv, fakeLoginCreds(), restrict.WithClock(clk.Now))
	details := func() {
		t.Helper()
		_, err := c.CustomerDetails(bg(), customerv2.CustomerDetailsRequest{ID: id})
		require.NoError(t, err)
	}

	details()
	require.Equal(t, 1, srv.Logins())

	// Still more than a minute left: the cached token is used.
	clk.Advance(8*time.Minute + 59*time.Second)
	details()
	require.Equal(t, 1, srv.Logins())

	// Within the last minute before exp: log in again before calling,
	// though the fake would still accept the old token.
	clk.Advance(2 * time.Second)
	details()
	require.Equal(t, 2, srv.Logins())
	require.Equal(t, 5, srv.Requests(), "two logins, three calls, none refused")

	details()
	require.Equal(t, 2, srv.Logins())
}

func TestExpiredTokenRefusedByFakeRenewsOnce(t *testing.T) {
	t.Parallel()
	// The client's clock lags the fake's: it believes its token fresh, the
	// fake finds it expired and answers 401, and the client logs in again.
	clientClock := testkit.NewClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	fakeClock := testkit.NewClock(clientClock.Now())
	srv := newFake(t, fakeLoginCreds())
	srv.SetClock(fakeClock.Now)
	srv.SetTokenLifetime(10 * time.Minute)
	id := srv.AddCustomer(customerv2.Customer{}).ID
	c := newFakeClient(t, srv, fakeLoginCreds(), restrict.WithClock(clientClock.Now))

	_, err := c.CustomerDetails(bg(), customerv2.CustomerDetailsRequest{ID: id})
	require.NoError(t, err)
	fakeClock.Advance(11 * time.Minute)
	res, err := c.CustomerDetails(bg(), customerv2.CustomerDetailsRequest{ID: id})
	require.NoError(t, err)
	require.Equal(t, 2, srv.Logins())
	require.Equal(t, 2, res.Attempts, "the refused attempt and the renewed one")
}

func TestReloginOnceOn401(t *testing.T) {
	t.Parallel()
	srv := newFake(t, fakeLoginCreds())
	id := srv.AddCustomer(customerv2.Customer{}).ID
	c := newFakeClient(t, srv, fakeLoginCreds())

	_, err := c.CustomerDetails(bg(), customerv2.CustomerDetailsRequest{ID: id})
	require.NoError(t, err)
	srv.RevokeTokens()
	_, err = c.Suspend(bg(), customerv2.SuspendRequest{ID: id})
	require.NoError(t, err)
	require.Equal(t, 2, srv.Logins())
	got, _ := srv.Customer(id)
	require.True(t, got.Suspended())
}

func TestSecond401SurfacesAsUnauthorized(t *testing.T) {
	t.Parallel()
	srv := newFake(t, fakeLoginCreds())
	id := srv.AddCustomer(customerv2.Customer{}).ID
	c := newFakeClient(t, srv, fakeLoginCreds())
	_, err := c.CustomerDetails(bg(), customerv2.CustomerDetailsRequest{ID: id})
	require.NoError(t, err)
	before := srv.Requests()

	refuse := restricttest.Fault{Status: http.StatusUnauthorized, Body: unauthorizedBody, ContentType: "application/json", Times: 1}
	// The call is refused, the login goes through, the retried call is
	// refused again.
	srv.Inject(refuse, restricttest.Fault{Times: 1}, refuse)
	_, err = c.Suspend(bg(), customerv2.SuspendRequest{ID: id})
	ae := testkit.RequireAPIError(t, err, customerv2.Provider, restrict.ErrUnauthorized)
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
	srv := newFake(t, fakeKeyCreds())
	id := srv.AddCustomer(customerv2.Customer{}).ID
	c := newFakeClient(t, srv, customerv2.Credentials{APIKey: "wrong-key-0123456789"})
	_, err := c.Suspend(bg(), customerv2.SuspendRequest{ID: id})
	ae := testkit.RequireAPIError(t, err, customerv2.Provider, restrict.ErrUnauthorized)
	require.Equal(t, 1, ae.Attempts)
	require.Equal(t, 1, srv.Requests())
	require.Equal(t, 0, srv.Logins())
	require.NotContains(t, err.Error(), "wrong-key-0123456789")
}

// The fake accepts exactly the credentials it was given: a client of the
// other kind is refused.
func TestFakeAcceptsOnlyItsOwnKindOfCredentials(t *testing.T) {
	t.Parallel()
	keyed := newFake(t, fakeKeyCreds())
	id := keyed.AddCustomer(customerv2.Customer{}).ID
	_, err := newFakeClient(t, keyed, fakeLoginCreds()).Suspend(bg(), customerv2.SuspendRequest{ID: id})
	ae := testkit.RequireAPIError(t, err, customerv2.Provider, restrict.ErrUnauthorized)
	require.Equal(t, "Login", ae.Operation)

	login := newFake(t, fakeLoginCreds())
	id = login.AddCustomer(customerv2.Customer{}).ID
	_, err = newFakeClient(t, login, fakeKeyCreds()).Suspend(bg(), customerv2.SuspendRequest{ID: id})
	ae = testkit.RequireAPIError(t, err, customerv2.Provider, restrict.ErrUnauthorized)
	require.Equal(t, "Suspend", ae.Operation)
}

func TestWrongPasswordAgainstFake(t *testing.T) {
	t.Parallel()
	srv := newFake(t, fakeLoginCreds())
	creds := fakeLoginCreds()
	creds.Password = "not-the-password-42"
	c := newFakeClient(t, srv, creds)
	for i := 0; i < 2; i++ {
		_, err := c.Suspend(bg(), customerv2.SuspendRequest{ID: unknownID})
		ae := testkit.RequireAPIError(t, err, customerv2.Provider, restrict.ErrUnauthorized)
		require.Equal(t, "Login", ae.Operation)
		require.Equal(t, "Invalid credentials", ae.Message)
		require.Empty(t, ae.Code)
		require.NotContains(t, err.Error(), "not-the-password-42")
	}
	require.Equal(t, 2, srv.Logins(), "each call tries one login, never a loop")
	require.Equal(t, 2, srv.Requests())
}

func TestLoginRetriedOn503(t *testing.T) {
	t.Parallel()
	srv := newFake(t, fakeLoginCreds())
	id := srv.AddCustomer(customerv2.Customer{}).ID
	c := newFakeClient(t, srv, fakeLoginCreds())
	srv.Inject(restricttest.Fault{Status: http.StatusServiceUnavailable, Body: "busy", Times: 1})
	_, err := c.Suspend(bg(), customerv2.SuspendRequest{ID: id})
	require.NoError(t, err)
	require.Equal(t, 1, srv.Logins())
	require.Equal(t, 3, srv.Requests())
}

// KunaCore's NestJS body may come with HTTP 200: a token refused inside it
// is renewed exactly as one refused with 401, once.
func TestInBand401RenewsOnce(t *testing.T) {
	t.Parallel()
	srv := newFake(t, fakeLoginCreds())
	id := srv.AddCustomer(customerv2.Customer{}).ID
	c := newFakeClient(t, srv, fakeLoginCreds())
	_, err := c.CustomerDetails(bg(), customerv2.CustomerDetailsRequest{ID: id})
	require.NoError(t, err)

	inBand := restricttest.Fault{Status: http.StatusOK, Body: unauthorizedBody, ContentType: "application/json", Times: 1}
	srv.Inject(inBand)
	res, err := c.Suspend(bg(), customerv2.SuspendRequest{ID: id})
	require.NoError(t, err)
	require.Equal(t, 2, res.Attempts)
	require.Equal(t, 2, srv.Logins(), "one renewal")
	got, _ := srv.Customer(id)
	require.True(t, got.Suspended())

	// Refused again after the renewal: ErrUnauthorized, not a loop.
	srv.Inject(inBand, restricttest.Fault{Times: 1}, inBand)
	_, err = c.CustomerDetails(bg(), customerv2.CustomerDetailsRequest{ID: id})
	ae := testkit.RequireAPIError(t, err, customerv2.Provider, restrict.ErrUnauthorized)
	require.Equal(t, http.StatusOK, ae.StatusCode)
	require.Equal(t, 3, srv.Logins())
}
