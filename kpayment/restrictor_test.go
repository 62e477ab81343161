package kpayment_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/testkit"
	"github.com/restrictkit/restrict/kpayment"
)

func TestRestrictBlocksOnlinePayment(t *testing.T) {
	t.Parallel()
	c, mt, rec := newMocked(t, basicCreds, nil)
	res, err := c.Restrict(context.Background(), restrict.Target{ID: custUUID, Reason: "chargeback fraud"})
	require.NoError(t, err)
	require.Equal(t, &restrict.Result{
		Provider: kpayment.Provider,
		Action:   restrict.ActionBlock,
		TargetID: custUUID,
		State:    restrict.StateRestricted,
		Meta:     restrict.Meta{StatusCode: 200, Attempts: 1},
	}, res)
	require.Equal(t, 1, mt.GetTotalCallCount())
	got := rec.Requests()[0]
	require.Equal(t, "POST", got.Method)
	require.Equal(t, blockPath, got.URL.EscapedPath())
	require.Equal(t, `{"onlinePayment":true}`, string(got.Body), "the reason has no field at myKaarma")
}

func TestRestrictSendsTheConfiguredBody(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		req  kpayment.BlockCustomerRequest
		want string
	}{
		{"nil onlinePayment still blocks online payment",
			kpayment.BlockCustomerRequest{SendBlockNotification: restrict.Ptr(false)},
			`{"onlinePayment":true,"sendBlockNotification":false}`},
		{"explicit false is honoured",
			kpayment.BlockCustomerRequest{OnlinePayment: restrict.Ptr(false), ThreeDSAuthentication: restrict.Ptr(true)},
			`{"onlinePayment":false,"threeDSAuthentication":true}`},
		{"strings",
			kpayment.BlockCustomerRequest{InvoiceGUID: "inv-7", CCLastFour: "4242", CCType: "VISA", CardHolder: "A B"},
			`{"invoiceGUID":"inv-7","ccLastFour":"4242","ccType":"VISA","cardHolder":"A B","onlinePayment":true}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, _, rec := newMocked(t, basicCreds, nil, kpayment.WithRestrictRequest(tt.req))
			for range 2 {
				_, err := c.Restrict(context.Background(), restrict.Target{ID: custUUID})
				require.NoError(t, err)
			}
			for _, s := range rec.Requests() {
				require.Equal(t, tt.want, string(s.Body), "every Restrict sends the same body")
			}
		})
	}
}

func TestWithRestrictRequestIsCopied(t *testing.T) {
	t.Parallel()
	notify := true
	opt := kpayment.WithRestrictRequest(kpayment.BlockCustomerRequest{SendBlockNotification: &notify})
	c, _, rec := newMocked(t, basicCreds, nil, opt)
	notify = false // the caller's variable changes after New
	_, err := c.Restrict(context.Background(), restrict.Target{ID: custUUID})
	require.NoError(t, err)
	require.Equal(t, `{"onlinePayment":true,"sendBlockNotification":true}`, string(rec.Requests()[0].Body))
}

func TestCheckTargetID(t *testing.T) {
	t.Parallel()
	for _, id := range []string{custUUID, strings.ToUpper(custUUID), "00000000-0000-0000-0000-000000000000"} {
		require.NoError(t, kpayment.CheckTargetID(id), id)
	}
	for _, id := range []string{
		"", "   ", "c-1", "4f1c0b7e", "4f1c0b7e2a9d4c1e9a520d6e8b3f7a11", // no dashes
		"{4f1c0b7e-2a9d-4c1e-9a52-0d6e8b3f7a11}", " " + custUUID, custUUID + "\n",
		"4f1c0b7e-2a9d-4c1e-9a52-0d6e8b3f7a1g", "../../admin", "a/b", strings.Repeat("9", 300), "x\x00y",
	} {
		err := kpayment.CheckTargetID(id)
		ae := testkit.RequireAPIError(t, err, kpayment.Provider, restrict.ErrInvalidRequest)
		require.Equal(t, "CheckTargetID", ae.Operation, "%q", id)
		require.Equal(t, []string{"ID"}, keys(ae.Fields), "%q", id)
	}
}

// Restrict applies CheckTargetID first, under its own name, and sends
// nothing for an ID it refuses, even one BlockCustomer would take.
func TestRestrictRefusesBadIDs(t *testing.T) {
	t.Parallel()
	for _, id := range []string{"", ".", "..", "../x", "a/b", "a\\b", "a\x00b", "a\tb", "c-1", "4f1c0b7e2a9d4c1e9a520d6e8b3f7a11"} {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			c, mt, _ := newMocked(t, basicCreds, nil)
			res, err := c.Restrict(context.Background(), restrict.Target{ID: id})
			require.Nil(t, res)
			ae := testkit.RequireAPIError(t, err, kpayment.Provider, restrict.ErrInvalidRequest)
			require.Equal(t, "Restrict", ae.Operation)
			require.Equal(t, []string{"ID"}, keys(ae.Fields))
			require.Zero(t, ae.Attempts)
			require.Zero(t, mt.GetTotalCallCount())
		})
	}
}

func TestRestrictReturnsProviderErrors(t *testing.T) {
	t.Parallel()
	c, _, _ := newMocked(t, basicCreds, []testkit.Answer{{Status: 401, Body: `{"errors":[{"errorCode":100011,"errorTitle":"INVALID_SCOPE_DEALER"}]}`}})
	res, err := c.Restrict(context.Background(), restrict.Target{ID: custUUID})
	require.Nil(t, res)
	ae := testkit.RequireAPIError(t, err, kpayment.Provider, restrict.ErrForbidden)
	require.Equal(t, "BlockCustomer", ae.Operation, "the call that failed")
	require.Equal(t, "100011", ae.Code)
}

// Lift and Status are not offered by myKaarma: unsupported whatever the
// ID, and nothing is sent.
func TestLiftAndStatusAreUnsupported(t *testing.T) {
	t.Parallel()
	c, mt, _ := newMocked(t, basicCreds, nil)
	calls := map[string]func(context.Context, restrict.Target) (*restrict.Result, error){"Lift": c.Lift, "Status": c.Status}
	for name, call := range calls {
		for _, id := range []string{custUUID, "", "../x"} {
			res, err := call(context.Background(), restrict.Target{ID: id})
			require.Nil(t, res)
			ae := testkit.RequireAPIError(t, err, kpayment.Provider, restrict.ErrUnsupported)
			require.ErrorIs(t, err, errors.ErrUnsupported)
			require.Equal(t, name, ae.Operation)
			require.Equal(t, "unsupported", restrict.ClassName(err))
			require.Contains(t, ae.Message, "myKaarma")
			require.Zero(t, ae.Attempts)
		}
	}
	require.Zero(t, mt.GetTotalCallCount())
}

func TestRestrictLogsWithoutSecrets(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, _, _ := newMocked(t, basicCreds, []testkit.Answer{
		{Status: 503, Body: "x"},
		{Status: 200, Body: `{"warnings":[{"warningCode":150000,"warningTitle":"NO_PREFERRED_DEALER_ID"}]}`},
	}, restrict.WithLogger(logger), fastRetry)
	_, err := c.Restrict(context.Background(), restrict.Target{ID: custUUID, Reason: "fraud ring"})
	require.NoError(t, err)
	logs := buf.String()
	require.Contains(t, logs, "fraud ring")
	require.Contains(t, logs, "NO_PREFERRED_DEALER_ID")
	require.Contains(t, logs, `"level":"WARN"`)
	require.NotContains(t, logs, testPass)
	require.NotContains(t, logs, strings.TrimPrefix(testBasic, "Basic "))
}
