package kpayment_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/testkit"
	"github.com/restrictkit/restrict/kpayment"
)

func TestBlockCustomerWireFormat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		req  kpayment.BlockCustomerRequest
		want string
	}{
		{"empty request still sends an object", kpayment.BlockCustomerRequest{}, `{}`},
		{"nil booleans are absent", kpayment.BlockCustomerRequest{InvoiceGUID: "inv-1"}, `{"invoiceGUID":"inv-1"}`},
		{"false booleans are present", kpayment.BlockCustomerRequest{
			OnlinePayment: restrict.Ptr(false), SendBlockNotification: restrict.Ptr(false), ThreeDSAuthentication: restrict.Ptr(false),
		}, `{"onlinePayment":false,"sendBlockNotification":false,"threeDSAuthentication":false}`},
		{"every field", kpayment.BlockCustomerRequest{
			InvoiceGUID: "9b2f-inv", CCLastFour: "0042", CCType: "VISA", CardHolder: "Zoë O'Brien / Ltd <x>",
			OnlinePayment: restrict.Ptr(true), SendBlockNotification: restrict.Ptr(false), ThreeDSAuthentication: restrict.Ptr(true),
		}, `{"invoiceGUID":"9b2f-inv","ccLastFour":"0042","ccType":"VISA","cardHolder":"Zoë O'Brien / Ltd \u003cx\u003e",` +
			`"onlinePayment":true,"sendBlockNotification":false,"threeDSAuthentication":true}`},
		{"only one boolean", kpayment.BlockCustomerRequest{SendBlockNotification: restrict.Ptr(true)}, `{"sendBlockNotification":true}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt, rec := newMocked(t, basicCreds, nil)
			res, err := c.BlockCustomer(context.Background(), custUUID, tt.req)
			require.NoError(t, err)
			require.Equal(t, 1, mt.GetTotalCallCount())
			require.Equal(t, http.StatusOK, res.StatusCode)
			require.Equal(t, 1, res.Attempts)
			require.Empty(t, res.Warnings)

			got := rec.Requests()[0]
			require.Equal(t, http.MethodPost, got.Method)
			require.Equal(t, "https", got.URL.Scheme)
			require.Equal(t, "api.mykaarma.com", got.URL.Host)
			require.Equal(t, blockPath, got.URL.EscapedPath())
			require.Empty(t, got.URL.RawQuery)
			require.Equal(t, testBasic, got.Header.Get("Authorization"))
			require.Equal(t, "application/json", got.Header.Get("Content-Type"))
			require.Equal(t, "application/json", got.Header.Get("Accept"))
			require.Equal(t, tt.want, string(got.Body), "exact bytes")
			require.JSONEq(t, tt.want, string(got.Body))
		})
	}
}

func TestBlockCustomerBaseURLKeepsPath(t *testing.T) {
	t.Parallel()
	c, _, rec := newMocked(t, basicCreds, nil, restrict.WithBaseURL("https://qa.example.test/payment/"))
	_, err := c.BlockCustomer(context.Background(), custUUID, kpayment.BlockCustomerRequest{})
	require.NoError(t, err)
	got := rec.Requests()[0].URL
	require.Equal(t, "qa.example.test", got.Host)
	require.Equal(t, blockPath, got.EscapedPath())
}

// BlockCustomer takes any identifier that is one safe path segment (the
// docs type customerUuid as a plain string), escaped into the path, also
// one that Restrict's CheckTargetID refuses.
func TestBlockCustomerEscapesTheUUID(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"a b":     "a%20b",
		"a?b#c":   "a%3Fb%23c",
		"%2e%2e":  "%252e%252e", // an encoded "..": escaped again, so it stays data
		"%2F":     "%252F",
		"ü-1":     "%C3%BC-1",
		"a.b":     "a.b",
		"...x":    "", // holds "..": refused
		"{uuid}":  "%7Buuid%7D",
		"x;y=z":   "x%3By=z", // no Spring matrix variables
		"a+b@c:d": "a+b@c:d",
	}
	for in, want := range tests {
		t.Run(in, func(t *testing.T) {
			t.Parallel()
			c, mt, rec := newMocked(t, basicCreds, nil)
			_, err := c.BlockCustomer(context.Background(), in, kpayment.BlockCustomerRequest{})
			if want == "" {
				testkit.RequireAPIError(t, err, kpayment.Provider, restrict.ErrInvalidRequest)
				require.Zero(t, mt.GetTotalCallCount())
				return
			}
			require.NoError(t, err)
			require.Equal(t, "/payment/kpayment/v1/customer/"+want+"/block", rec.Requests()[0].URL.EscapedPath())
		})
	}
}

func TestBlockCustomerRefusesPathInjection(t *testing.T) {
	t.Parallel()
	for _, id := range []string{"../x", "..", ".", "a/b", "/", "a\\b", "a\x00b", "a\nb", "a\rb", "a\x7fb", "", "c-1/../../admin"} {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			c, mt, _ := newMocked(t, basicCreds, nil)
			res, err := c.BlockCustomer(context.Background(), id, kpayment.BlockCustomerRequest{OnlinePayment: restrict.Ptr(true)})
			require.Nil(t, res)
			ae := testkit.RequireAPIError(t, err, kpayment.Provider, restrict.ErrInvalidRequest)
			require.Contains(t, ae.Fields, "customerUuid")
			require.Equal(t, "BlockCustomer", ae.Operation)
			require.Zero(t, ae.Attempts)
			require.Zero(t, mt.GetTotalCallCount(), "nothing may be sent")
		})
	}
}

func TestBlockCustomerValidatesCCLastFour(t *testing.T) {
	t.Parallel()
	for _, v := range []string{"123", "12345", "12a4", "12 4", "-123", "+123", "١٢٣٤", "１２３４"} {
		t.Run(v, func(t *testing.T) {
			t.Parallel()
			c, mt, _ := newMocked(t, basicCreds, nil)
			_, err := c.BlockCustomer(context.Background(), custUUID, kpayment.BlockCustomerRequest{CCLastFour: v})
			ae := testkit.RequireAPIError(t, err, kpayment.Provider, restrict.ErrInvalidRequest)
			require.Contains(t, ae.Fields, "ccLastFour")
			require.Contains(t, err.Error(), "ccLastFour")
			require.Zero(t, mt.GetTotalCallCount())
		})
	}
}

func TestBlockCustomerRetriesOnlyWhatIsSafe(t *testing.T) {
	t.Parallel()
	t.Run("503 then 500 then success", func(t *testing.T) {
		t.Parallel()
		c, mt, rec := newMocked(t, basicCreds, []testkit.Answer{
			{Status: 503, Body: "busy"},
			{Status: 500, Body: `{"errors":[{"errorCode":100007,"errorTitle":"INTERNAL_SERVER_ERROR"}]}`},
			{Status: 200, Body: "{}"},
		}, fastRetry)
		res, err := c.BlockCustomer(context.Background(), custUUID, kpayment.BlockCustomerRequest{OnlinePayment: restrict.Ptr(true)})
		require.NoError(t, err)
		require.Equal(t, 3, res.Attempts)
		require.Equal(t, 3, mt.GetTotalCallCount())
		for _, s := range rec.Requests() {
			require.Equal(t, `{"onlinePayment":true}`, string(s.Body), "every attempt sends the same bytes")
			require.Equal(t, testBasic, s.Header.Get("Authorization"))
		}
	})
	t.Run("400 is not retried", func(t *testing.T) {
		t.Parallel()
		c, mt, _ := newMocked(t, basicCreds, []testkit.Answer{{Status: 400, Body: `{"errors":[{"errorCode":100006}]}`}}, fastRetry)
		_, err := c.BlockCustomer(context.Background(), custUUID, kpayment.BlockCustomerRequest{})
		ae := testkit.RequireAPIError(t, err, kpayment.Provider, restrict.ErrInvalidRequest)
		require.Equal(t, 1, ae.Attempts)
		require.Equal(t, 1, mt.GetTotalCallCount())
	})
	t.Run("retries run out", func(t *testing.T) {
		t.Parallel()
		c, mt, _ := newMocked(t, basicCreds, []testkit.Answer{{Status: 503, Body: `{"errors":[{"errorCode":100005,"errorTitle":"INTERNAL_SERVER_EXCEPTION","errorMessage":"down"}]}`}}, fastRetry)
		_, err := c.BlockCustomer(context.Background(), custUUID, kpayment.BlockCustomerRequest{})
		ae := testkit.RequireAPIError(t, err, kpayment.Provider, restrict.ErrUnavailable)
		require.Equal(t, 3, ae.Attempts)
		require.Equal(t, 503, ae.StatusCode)
		require.Equal(t, "100005", ae.Code)
		require.Contains(t, ae.Message, "INTERNAL_SERVER_EXCEPTION")
		require.Equal(t, 3, mt.GetTotalCallCount())
		require.True(t, ae.Retryable())
	})
}

func TestBlockCustomerCancelledContext(t *testing.T) {
	t.Parallel()
	c, _, _ := newMocked(t, basicCreds, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.BlockCustomer(ctx, custUUID, kpayment.BlockCustomerRequest{})
	require.ErrorIs(t, err, context.Canceled)
	var ae *restrict.APIError
	require.ErrorAs(t, err, &ae)
	require.Equal(t, "BlockCustomer", ae.Operation)
}
