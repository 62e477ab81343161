package customerv2_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/customerv2"
	"github.com/restrictkit/restrict/customerv2/customerv2test"
	"github.com/restrictkit/restrict/restricttest"
)

func TestFakeCustomerLifecycle(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"api key", "login"} {
		mode := mode
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			clk := newClock(time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC))
			srv := newFake(t, customerv2test.Config{Clock: clk.Now})
			creds := fakeKeyCreds()
			if mode == "login" {
				creds = fakeLoginCreds()
			}
			c := newFakeClient(t, srv, creds, restrict.WithClock(clk.Now))

			req := validCreate()
			req.ExternalID = "ext-1"
			req.Comment = "vip"
			created, err := c.CreateCustomer(bg(), req)
			require.NoError(t, err)
			require.NotEmpty(t, created.ID)
			require.NotEmpty(t, created.WalletID)
			require.Equal(t, customerv2.StatusActive, created.Status)
			require.Equal(t, clk.Now(), created.CreatedAt)
			require.Equal(t, "ext-1", created.ExternalID)

			_, err = c.CreateCustomer(bg(), req)
			ae := requireAPIError(t, err, restrict.ErrConflict)
			require.Equal(t, http.StatusConflict, ae.StatusCode)
			require.Equal(t, "Customer with this email already exists", ae.Message)

			got, err := c.CustomerDetails(bg(), created.ID)
			require.NoError(t, err)
			require.Equal(t, created.Customer, got.Customer)

			upd, err := c.UpdateCustomer(bg(), customerv2.UpdateCustomerRequest{
				ID: created.ID, FirstName: customerv2.String("Alexander"), Comment: customerv2.String(""),
			})
			require.NoError(t, err)
			require.Equal(t, "Alexander", upd.FirstName)
			require.Empty(t, upd.Comment)
			stored, _ := srv.Customer(created.ID)
			require.Equal(t, "Alexander", stored.FirstName)
			require.Equal(t, "Smith", stored.LastName, "fields not sent stay")

			res, err := c.Restrict(bg(), restrict.Target{ID: created.ID})
			require.NoError(t, err)
			require.Equal(t, restrict.StateRestricted, res.State)
			got, err = c.CustomerDetails(bg(), created.ID)
			require.NoError(t, err)
			require.True(t, got.Suspended())

			// Suspending again is harmless.
			_, err = c.Suspend(bg(), created.ID)
			require.NoError(t, err)

			_, err = c.UpdateCustomer(bg(), customerv2.UpdateCustomerRequest{ID: created.ID, LastName: customerv2.String("X")})
			requireAPIError(t, err, restrict.ErrConflict)

			_, err = c.Suspend(bg(), "00000000-0000-4000-8000-00000000dead")
			ae = requireAPIError(t, err, restrict.ErrNotFound)
			require.Equal(t, "Customer not found", ae.Message)
		})
	}
}

func TestFakeFindPaging(t *testing.T) {
	t.Parallel()
	srv := newFake(t, customerv2test.Config{})
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var ids []string
	for i := 0; i < 7; i++ {
		ext := "even"
		if i%2 == 1 {
			ext = "odd"
		}
		ids = append(ids, srv.AddCustomer(customerv2.Customer{
			Email: string(rune('a'+i)) + "@example.com", FirstName: "F", LastName: "L",
			ExternalID: ext, CreatedAt: start.Add(time.Duration(i) * time.Hour),
		}).ID)
	}
	c := newFakeClient(t, srv, fakeKeyCreds())

	var pages [][]string
	for skip := 0; ; skip += 3 {
		res, err := c.FindCustomers(bg(), customerv2.FindCustomersRequest{Take: 3, Skip: skip})
		require.NoError(t, err)
		if len(res.Customers) == 0 {
			break
		}
		var page []string
		for _, cu := range res.Customers {
			page = append(page, cu.ID)
		}
		pages = append(pages, page)
	}
	require.Equal(t, [][]string{ids[0:3], ids[3:6], ids[6:7]}, pages)

	res, err := c.FindCustomers(bg(), customerv2.FindCustomersRequest{ExternalID: "odd"})
	require.NoError(t, err)
	require.Len(t, res.Customers, 3)

	res, err = c.FindCustomers(bg(), customerv2.FindCustomersRequest{
		CreatedFrom: start.Add(2 * time.Hour), CreatedTo: start.Add(4 * time.Hour),
	})
	require.NoError(t, err)
	require.Len(t, res.Customers, 3)
	require.Equal(t, ids[2], res.Customers[0].ID)

	res, err = c.FindCustomers(bg(), customerv2.FindCustomersRequest{Email: "c@example.com", FullName: "F L"})
	require.NoError(t, err)
	require.Len(t, res.Customers, 1)
	require.Equal(t, ids[2], res.Customers[0].ID)
}

func TestFakeCreateValidation(t *testing.T) {
	t.Parallel()
	// The fake's own checks, reached with a request the client lets
	// through: an address-less email.
	srv := newFake(t, customerv2test.Config{})
	c := newFakeClient(t, srv, fakeKeyCreds())
	req := validCreate()
	req.Email = "not-an-email"
	_, err := c.CreateCustomer(bg(), req)
	ae := requireAPIError(t, err, restrict.ErrInvalidRequest)
	require.Equal(t, []string{"email must be an email"}, ae.Fields["email"])
	require.Equal(t, "Bad Request", ae.Code)
}

func TestFakeCreateNotRetriedOnceSent(t *testing.T) {
	t.Parallel()
	srv := newFake(t, customerv2test.Config{})
	c := newFakeClient(t, srv, fakeKeyCreds())
	srv.Inject(restricttest.Fault{Status: http.StatusBadGateway, Body: "<html>bad gateway</html>", Times: 1})
	_, err := c.CreateCustomer(bg(), validCreate())
	ae := requireAPIError(t, err, restrict.ErrUnavailable)
	require.Equal(t, http.StatusBadGateway, ae.StatusCode)
	require.Equal(t, "<html>bad gateway</html>", ae.Message)
	require.Equal(t, 1, srv.Requests(), "a create that reached the server is not repeated")
	require.Empty(t, srv.Customers())
}

func TestFakeSuspendRetriedAfterLostAnswer(t *testing.T) {
	t.Parallel()
	srv := newFake(t, customerv2test.Config{})
	id := srv.AddCustomer(customerv2.Customer{Email: "a@example.com"}).ID
	c := newFakeClient(t, srv, fakeKeyCreds())
	srv.Inject(
		restricttest.Fault{Status: http.StatusServiceUnavailable, Times: 1},
		restricttest.Fault{Status: http.StatusOK, Body: `{"data":{"success":true}}`, Reset: true, Times: 1},
	)
	res, err := c.Suspend(bg(), id)
	require.NoError(t, err)
	require.Equal(t, 3, res.Attempts)
	got, _ := srv.Customer(id)
	require.True(t, got.Suspended())
}

func TestFakeRateLimit(t *testing.T) {
	t.Parallel()
	srv := newFake(t, customerv2test.Config{})
	c := newFakeClient(t, srv, fakeKeyCreds())
	srv.Inject(restricttest.Fault{Status: http.StatusTooManyRequests, Header: restricttest.RetryAfter(120),
		Body: `{"statusCode":429,"message":"ThrottlerException: Too Many Requests"}`})
	_, err := c.Suspend(bg(), "00000000-0000-4000-8000-00000000dead")
	ae := requireAPIError(t, err, restrict.ErrRateLimited)
	require.Equal(t, 2*time.Minute, ae.RetryAfter)
	require.Equal(t, 1, srv.Requests(), "a wait longer than MaxWait is reported, not slept")
}

func TestFakeUnknownRoute(t *testing.T) {
	t.Parallel()
	srv := newFake(t, customerv2test.Config{})
	resp, err := http.Get(srv.URL + "/v2/customer/suspend")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
}
