package restricttest_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/purse"
	"github.com/restrictkit/restrict/restricttest"
)

const (
	customerID = "0e4b8c4c-7d3f-4b8e-9d7a-3f0c5b9e2a11"
	blockURL   = "https://api.calypso.finance/api/v1/customer-purse/customer/block"
)

var purseCreds = purse.Credentials{Account: "acct-1", Key: "key-0123456789", Secret: "secret-0123456789"}

func TestWithTransportRoutesEveryRequestThroughIt(t *testing.T) {
	t.Parallel()
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder(http.MethodPost, blockURL,
		httpmock.NewStringResponder(http.StatusOK, `{"id":"`+customerID+`","blocked":true}`))
	c, err := purse.New(purseCreds, restricttest.WithTransport(mt), restrict.WithRetry(restrict.RetryPolicy{MaxAttempts: 1}))
	require.NoError(t, err)
	res, err := c.Restrict(context.Background(), restrict.Target{ID: customerID})
	require.NoError(t, err)
	require.Equal(t, restrict.StateRestricted, res.State)
	require.Equal(t, 1, mt.GetCallCountInfo()["POST "+blockURL])

	// A request the mock has no responder for fails there; it never
	// goes out to the provider.
	_, err = c.Lift(context.Background(), restrict.Target{ID: customerID})
	require.ErrorIs(t, err, restrict.ErrUnavailable)
	require.Contains(t, err.Error(), "no responder found")
}

func TestWithTransportRefusesNil(t *testing.T) {
	t.Parallel()
	_, err := purse.New(purseCreds, restricttest.WithTransport(nil))
	require.ErrorIs(t, err, restrict.ErrInvalidRequest)
	require.Contains(t, err.Error(), "restricttest.WithTransport")
}
