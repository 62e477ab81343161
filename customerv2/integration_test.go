package customerv2_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/customerv2"
	"github.com/restrictkit/restrict/internal/testkit"
	"github.com/restrictkit/restrict/internal/transport"
	"github.com/restrictkit/restrict/restricttest"
)

func TestFakeCustomerLifecycle(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"api key", "login"} {
		mode := mode
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			clk := testkit.NewClock(time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC))
			creds := fakeKeyCreds()
			if mode == "login" {
				creds = fakeLoginCreds()
			}
			srv := newFake(t, creds)
			srv.SetClock(clk.Now)
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
			ae := testkit.RequireAPIError(t, err, customerv2.Provider, restrict.ErrConflict)
			require.Equal(t, http.StatusConflict, ae.StatusCode)
			require.Equal(t, "Customer with this email already exists", ae.Message)

			got, err := c.CustomerDetails(bg(), customerv2.CustomerDetailsRequest{ID: created.ID})
			require.NoError(t, err)
			got.Meta = created.Meta
			require.Equal(t, created, got)

			upd, err := c.UpdateCustomer(bg(), customerv2.UpdateCustomerRequest{
				ID: created.ID, FirstName: restrict.Ptr("Alexander"), Comment: restrict.Ptr(""),
			})
			require.NoError(t, err)
			require.Equal(t, "Alexander", upd.FirstName)
			require.Empty(t, upd.Comment)
			stored, _ := srv.Customer(created.ID)
			require.Equal(t, "Alexander", stored.FirstName)
			require.Equal(t, "Smith", stored.LastName, "fields not sent stay")

			st, err := c.Status(bg(), restrict.Target{ID: created.ID})
			require.NoError(t, err)
			require.Equal(t, restrict.StateActive, st.State)

			res, err := c.Restrict(bg(), restrict.Target{ID: created.ID})
			require.NoError(t, err)
			require.Equal(t, restrict.StateRestricted, res.State)
			got, err = c.CustomerDetails(bg(), customerv2.CustomerDetailsRequest{ID: created.ID})
			require.NoError(t, err)
			require.True(t, got.Suspended())
			st, err = c.Status(bg(), restrict.Target{ID: created.ID})
			require.NoError(t, err)
			require.Equal(t, &restrict.Result{Provider: customerv2.Provider, TargetID: created.ID, State: restrict.StateRestricted,
				Meta: restrict.Meta{StatusCode: http.StatusOK, Attempts: 1}}, st)

			// Restricting again is a success, as the fake answers a second
			// suspension as it did the first.
			res, err = c.Restrict(bg(), restrict.Target{ID: created.ID})
			require.NoError(t, err)
			require.Equal(t, restrict.StateRestricted, res.State)

			_, err = c.UpdateCustomer(bg(), customerv2.UpdateCustomerRequest{ID: created.ID, LastName: restrict.Ptr("X")})
			testkit.RequireAPIError(t, err, customerv2.Provider, restrict.ErrConflict)

			_, err = c.Suspend(bg(), customerv2.SuspendRequest{ID: unknownID})
			ae = testkit.RequireAPIError(t, err, customerv2.Provider, restrict.ErrNotFound)
			require.Equal(t, "Customer not found", ae.Message)
		})
	}
}

func TestFakeFindPaging(t *testing.T) {
	t.Parallel()
	srv := newFake(t, fakeKeyCreds())
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
	srv := newFake(t, fakeKeyCreds())
	c := newFakeClient(t, srv, fakeKeyCreds())
	req := validCreate()
	req.Email = "not-an-email"
	_, err := c.CreateCustomer(bg(), req)
	ae := testkit.RequireAPIError(t, err, customerv2.Provider, restrict.ErrInvalidRequest)
	require.Equal(t, []string{"email must be an email"}, ae.Fields["email"])
	require.Empty(t, ae.Code, "the reason phrase is not a code")
}

func TestFakeCreateNotRetriedOnceSent(t *testing.T) {
	t.Parallel()
	srv := newFake(t, fakeKeyCreds())
	c := newFakeClient(t, srv, fakeKeyCreds())
	srv.Inject(restricttest.Fault{Status: http.StatusBadGateway, Body: "<html>bad gateway</html>", Times: 1})
	_, err := c.CreateCustomer(bg(), validCreate())
	ae := testkit.RequireAPIError(t, err, customerv2.Provider, restrict.ErrUnavailable)
	require.Equal(t, http.StatusBadGateway, ae.StatusCode)
	require.Equal(t, "<html>bad gateway</html>", ae.Message)
	require.Equal(t, 1, srv.Requests(), "a create that reached the server is not repeated")
	require.Empty(t, srv.Customers())
}

func TestFakeSuspendRetriedAfterLostAnswer(t *testing.T) {
	t.Parallel()
	srv := newFake(t, fakeKeyCreds())
	id := srv.AddCustomer(customerv2.Customer{Email: "a@example.com"}).ID
	c := newFakeClient(t, srv, fakeKeyCreds())
	srv.Inject(
		restricttest.Fault{Status: http.StatusServiceUnavailable, Times: 1},
		restricttest.Fault{Status: http.StatusOK, Body: `{"data":{"success":true}}`, Reset: true, Times: 1},
	)
	res, err := c.Suspend(bg(), customerv2.SuspendRequest{ID: id})
	require.NoError(t, err)
	require.Equal(t, 3, res.Attempts)
	got, _ := srv.Customer(id)
	require.True(t, got.Suspended())
}

func TestFakeRateLimit(t *testing.T) {
	t.Parallel()
	srv := newFake(t, fakeKeyCreds())
	c := newFakeClient(t, srv, fakeKeyCreds())
	srv.Inject(restricttest.Fault{Status: http.StatusTooManyRequests, Header: restricttest.RetryAfter(120),
		Body: `{"statusCode":429,"message":"ThrottlerException: Too Many Requests"}`})
	_, err := c.Suspend(bg(), customerv2.SuspendRequest{ID: unknownID})
	ae := testkit.RequireAPIError(t, err, customerv2.Provider, restrict.ErrRateLimited)
	require.Equal(t, 2*time.Minute, ae.RetryAfter)
	require.Equal(t, 1, srv.Requests(), "a wait longer than MaxWait is reported, not slept")
}

// The fake answers an unknown route as NestJS does, which the client reads
// as a wrong address, not as a missing customer.
func TestFakeUnknownRoute(t *testing.T) {
	t.Parallel()
	srv := newFake(t, fakeKeyCreds())
	id := srv.AddCustomer(customerv2.Customer{}).ID
	c, err := customerv2.New(fakeKeyCreds(), restrict.WithBaseURL(srv.BaseURL()+"/api"))
	require.NoError(t, err)
	_, err = c.Restrict(bg(), restrict.Target{ID: id})
	ae := testkit.RequireAPIError(t, err, customerv2.Provider, restrict.ErrInvalidRequest)
	require.Equal(t, http.StatusNotFound, ae.StatusCode)
	require.Equal(t, transport.WrongAddress+" (the answer: Cannot POST /api/v2/customer/suspend)", ae.Message)
	require.Empty(t, ae.Code)
	require.Equal(t, 1, srv.Requests(), "not retried")
}

// Status reads each KunaCore status from the fake's state.
func TestFakeStatus(t *testing.T) {
	t.Parallel()
	srv := newFake(t, fakeKeyCreds())
	c := newFakeClient(t, srv, fakeKeyCreds())
	for status, want := range map[customerv2.Status]restrict.State{
		customerv2.StatusActive:     restrict.StateActive,
		customerv2.StatusSuspended:  restrict.StateRestricted,
		customerv2.StatusBlocked:    restrict.StateRestricted,
		customerv2.StatusSuspicious: restrict.StateRestricted,
		"Archived":                  restrict.StateUnknown,
	} {
		id := srv.AddCustomer(customerv2.Customer{Status: status}).ID
		res, err := c.Status(bg(), restrict.Target{ID: id})
		require.NoError(t, err)
		require.Equal(t, want, res.State, status)
		require.Empty(t, res.Action)
	}
	_, err := c.Status(bg(), restrict.Target{ID: unknownID})
	ae := testkit.RequireAPIError(t, err, customerv2.Provider, restrict.ErrNotFound)
	require.Equal(t, "CustomerDetails", ae.Operation)
}
