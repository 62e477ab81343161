package purse_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/testkit"
	"github.com/restrictkit/restrict/purse"
)

func TestCustomerWire(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		path    string
		payload string
		answer  string
		call    func(*purse.Client) (*purse.Customer, error)
		want    purse.Customer
	}{
		{
			name: "CreateCustomer", path: "/customer/create",
			payload: `{"email":"a@b.c","description":"d","externalId":"x-1"}`, answer: customerJSON,
			call: func(c *purse.Client) (*purse.Customer, error) {
				return c.CreateCustomer(ctx(), purse.CreateCustomerRequest{Email: "a@b.c", Description: "d", ExternalID: "x-1"})
			},
			want: wantCustomer,
		},
		{
			name: "CreateCustomerEmpty", path: "/customer/create", payload: `{}`, answer: customerJSON,
			call: func(c *purse.Client) (*purse.Customer, error) {
				return c.CreateCustomer(ctx(), purse.CreateCustomerRequest{})
			},
			want: wantCustomer,
		},
		{
			name: "UpdateCustomer", path: "/customer/update",
			payload: `{"id":"` + custID + `","description":""}`, answer: customerJSON,
			call: func(c *purse.Client) (*purse.Customer, error) {
				return c.UpdateCustomer(ctx(), purse.UpdateCustomerRequest{ID: custID, Description: restrict.Ptr("")})
			},
			want: wantCustomer,
		},
		{
			name: "GetCustomer", path: "/customer/get", payload: `{"customerId":"` + custID + `"}`, answer: customerJSON,
			call: func(c *purse.Client) (*purse.Customer, error) {
				return c.GetCustomer(ctx(), purse.GetCustomerRequest{CustomerID: custID})
			},
			want: wantCustomer,
		},
		{
			name: "GetCustomerByExternalID", path: "/customer/external/get", payload: `{"externalId":"x/1 é"}`, answer: customerJSON,
			call: func(c *purse.Client) (*purse.Customer, error) {
				return c.GetCustomerByExternalID(ctx(), purse.GetCustomerByExternalIDRequest{ExternalID: "x/1 é"})
			},
			want: wantCustomer,
		},
		{
			name: "BlockCustomer", path: "/customer/block", payload: `{"customerId":"` + custID + `"}`, answer: blockedJSON,
			call: func(c *purse.Client) (*purse.Customer, error) {
				return c.BlockCustomer(ctx(), purse.BlockCustomerRequest{CustomerID: custID})
			},
			want: func() purse.Customer { w := wantCustomer; w.Blocked = true; return w }(),
		},
		{
			name: "UnblockCustomer", path: "/customer/unblock", payload: `{"customerId":"` + custID + `"}`, answer: customerJSON,
			call: func(c *purse.Client) (*purse.Customer, error) {
				return c.UnblockCustomer(ctx(), purse.UnblockCustomerRequest{CustomerID: custID})
			},
			want: wantCustomer,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, _, rec := newMocked(t, []testkit.Answer{{Status: 200, Body: tc.answer}})
			got, err := tc.call(c)
			require.NoError(t, err)
			require.Equal(t, &tc.want, got)
			reqs := rec.Requests()
			require.Len(t, reqs, 1)
			requireSignedEnvelope(t, reqs[0], tc.path, tc.payload)
		})
	}
}

func TestCustomerValidationSendsNothing(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, op, field string
		call            func(*purse.Client) error
	}{
		{"UpdateNoID", "UpdateCustomer", "id", func(c *purse.Client) error {
			_, err := c.UpdateCustomer(ctx(), purse.UpdateCustomerRequest{Email: restrict.Ptr("a@b.c")})
			return err
		}},
		{"UpdateNotUUID", "UpdateCustomer", "id", func(c *purse.Client) error {
			_, err := c.UpdateCustomer(ctx(), purse.UpdateCustomerRequest{ID: "user-1"})
			return err
		}},
		{"Get", "GetCustomer", "customerId", func(c *purse.Client) error {
			_, err := c.GetCustomer(ctx(), purse.GetCustomerRequest{})
			return err
		}},
		{"GetBlank", "GetCustomer", "customerId", func(c *purse.Client) error {
			_, err := c.GetCustomer(ctx(), purse.GetCustomerRequest{CustomerID: "  "})
			return err
		}},
		{"ByExternalID", "GetCustomerByExternalID", "externalId", func(c *purse.Client) error {
			_, err := c.GetCustomerByExternalID(ctx(), purse.GetCustomerByExternalIDRequest{})
			return err
		}},
		{"ByExternalIDControl", "GetCustomerByExternalID", "externalId", func(c *purse.Client) error {
			_, err := c.GetCustomerByExternalID(ctx(), purse.GetCustomerByExternalIDRequest{ExternalID: "a\nb"})
			return err
		}},
		{"Block", "BlockCustomer", "customerId", func(c *purse.Client) error {
			_, err := c.BlockCustomer(ctx(), purse.BlockCustomerRequest{CustomerID: "../customer/unblock"})
			return err
		}},
		{"Unblock", "UnblockCustomer", "customerId", func(c *purse.Client) error {
			_, err := c.UnblockCustomer(ctx(), purse.UnblockCustomerRequest{})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mt, _ := newMocked(t, []testkit.Answer{{Status: 200, Body: customerJSON}})
			requireFieldError(t, tc.call(c), tc.op, tc.field)
			require.Zero(t, mt.GetTotalCallCount())
		})
	}
}

// TestCreateAndUpdateAreNotRepeated: a create or update may have been
// applied when the answer is a 500, so neither is sent again.
func TestCreateAndUpdateAreNotRepeated(t *testing.T) {
	t.Parallel()
	for name, call := range map[string]func(*purse.Client) error{
		"CreateCustomer": func(c *purse.Client) error {
			_, err := c.CreateCustomer(ctx(), purse.CreateCustomerRequest{Email: "a@b.c"})
			return err
		},
		"UpdateCustomer": func(c *purse.Client) error {
			_, err := c.UpdateCustomer(ctx(), purse.UpdateCustomerRequest{ID: custID, Email: restrict.Ptr("a@b.c")})
			return err
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			for _, status := range []int{500, 502, 503} {
				c, mt, _ := newMocked(t, []testkit.Answer{{Status: status, Body: `{"errorCode":"000","message":"Internal server error"}`}}, fastRetry)
				require.ErrorIs(t, call(c), restrict.ErrUnavailable)
				require.Equal(t, 1, mt.GetTotalCallCount(), "HTTP %d", status)
			}
		})
	}
}

// TestBlockIsRetried: blocking is safe to repeat, so a 500 is retried.
func TestBlockIsRetried(t *testing.T) {
	t.Parallel()
	c, mt, _ := newMocked(t, []testkit.Answer{
		{Status: 500, Body: `{"errorCode":"000","message":"Internal server error"}`},
		{Status: 200, Body: blockedJSON},
	}, fastRetry)
	cust, err := c.BlockCustomer(ctx(), purse.BlockCustomerRequest{CustomerID: custID})
	require.NoError(t, err)
	require.True(t, cust.Blocked)
	require.Equal(t, 2, cust.Attempts)
	require.Equal(t, 2, mt.GetTotalCallCount())
}
