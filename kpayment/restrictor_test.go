package kpayment_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/kpayment"
)

func TestRestrictBlocksOnlinePayment(t *testing.T) {
	t.Parallel()
	c, mt, rec := newMocked(t, basicCreds, nil)
	res, err := c.Restrict(context.Background(), restrict.Target{ID: "4f1c0b7e", Reason: "chargeback fraud"})
	require.NoError(t, err)
	require.Equal(t, &restrict.Result{
		Provider: kpayment.Provider,
		Action:   restrict.ActionBlock,
		TargetID: "4f1c0b7e",
		State:    restrict.StateRestricted,
		Meta:     restrict.Meta{StatusCode: 200, Attempts: 1},
	}, res)
	require.Equal(t, 1, mt.GetTotalCallCount())
	got := rec.requests()[0]
	require.Equal(t, "/payment/kpayment/v1/customer/4f1c0b7e/block", got.req.URL.EscapedPath())
	require.Equal(t, `{"onlinePayment":true}`, string(got.body), "the reason has no field at myKaarma")
}

func TestRestrictSendsTheConfiguredBody(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		req  kpayment.BlockCustomerRequest
		want string
	}{
		{"nil onlinePayment still blocks online payment",
			kpayment.BlockCustomerRequest{SendBlockNotification: kpayment.Bool(false)},
			`{"onlinePayment":true,"sendBlockNotification":false}`},
		{"explicit false is honoured",
			kpayment.BlockCustomerRequest{OnlinePayment: kpayment.Bool(false), ThreeDSAuthentication: kpayment.Bool(true)},
			`{"onlinePayment":false,"threeDSAuthentication":true}`},
		{"strings",
			kpayment.BlockCustomerRequest{InvoiceGUID: "inv-7", CCLastFour: "4242", CCType: "VISA", CardHolder: "A B"},
			`{"invoiceGUID":"inv-7","ccLastFour":"4242","ccType":"VISA","cardHolder":"A B","onlinePayment":true}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, _, rec := newMocked(t, basicCreds, nil, kpayment.WithRestrictRequest(tt.req))
			_, err := c.Restrict(context.Background(), restrict.Target{ID: "c-1"})
			require.NoError(t, err)
			require.Equal(t, tt.want, string(rec.requests()[0].body))
		})
	}
}

func TestWithRestrictRequestIsCopied(t *testing.T) {
	t.Parallel()
	notify := true
	opt := kpayment.WithRestrictRequest(kpayment.BlockCustomerRequest{SendBlockNotification: &notify})
	c, _, rec := newMocked(t, basicCreds, nil, opt)
	notify = false // the caller's variable changes after New
	_, err := c.Restrict(context.Background(), restrict.Target{ID: "c-1"})
	require.NoError(t, err)
	require.Equal(t, `{"onlinePayment":true,"sendBlockNotification":true}`, string(rec.requests()[0].body))
}

func TestRestrictRefusesBadIDs(t *testing.T) {
	t.Parallel()
	for _, id := range []string{"", ".", "..", "../x", "a/b", "a\\b", "a\x00b", "a\tb"} {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			c, mt, _ := newMocked(t, basicCreds, nil)
			res, err := c.Restrict(context.Background(), restrict.Target{ID: id})
			require.Nil(t, res)
			ae := requireAPIError(t, err, restrict.ErrInvalidRequest)
			require.Equal(t, "Restrict", ae.Operation)
			require.Contains(t, ae.Fields, "ID")
			require.Zero(t, mt.GetTotalCallCount())
		})
	}
}

func TestRestrictReturnsProviderErrors(t *testing.T) {
	t.Parallel()
	c, _, _ := newMocked(t, basicCreds, []answer{{status: 401, body: `{"errors":[{"errorCode":100011,"errorTitle":"INVALID_SCOPE_DEALER"}]}`}})
	res, err := c.Restrict(context.Background(), restrict.Target{ID: "c-1"})
	require.Nil(t, res)
	ae := requireAPIError(t, err, restrict.ErrForbidden)
	require.Equal(t, "100011", ae.Code)
}

func TestLiftIsUnsupported(t *testing.T) {
	t.Parallel()
	for _, id := range []string{"c-1", "", "../x"} {
		c, mt, _ := newMocked(t, basicCreds, nil)
		res, err := c.Lift(context.Background(), restrict.Target{ID: id})
		require.Nil(t, res)
		ae := requireAPIError(t, err, restrict.ErrUnsupported)
		require.ErrorIs(t, err, errors.ErrUnsupported)
		require.Equal(t, "Lift", ae.Operation)
		require.NotEmpty(t, ae.Message)
		require.Zero(t, mt.GetTotalCallCount())
	}
}

func TestRestrictLogsWithoutSecrets(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, _, _ := newMocked(t, basicCreds, []answer{
		{status: 503, body: "x"},
		{status: 200, body: `{"warnings":[{"warningCode":150000,"warningTitle":"NO_PREFERRED_DEALER_ID"}]}`},
	}, restrict.WithLogger(logger), fastRetry)
	_, err := c.Restrict(context.Background(), restrict.Target{ID: "c-1", Reason: "fraud ring"})
	require.NoError(t, err)
	logs := buf.String()
	require.Contains(t, logs, "fraud ring")
	require.Contains(t, logs, "NO_PREFERRED_DEALER_ID")
	require.Contains(t, logs, `"level":"WARN"`)
	require.NotContains(t, logs, testPass)
	require.NotContains(t, logs, "c3Vic2NyaWJlcjpzM2NyZXQtcHc=")
}
