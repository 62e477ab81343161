package cryptomus

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/testkit"
)

func TestBlockAddressWire(t *testing.T) {
	t.Parallel()
	c, mt := newMocked(t)
	var rec testkit.Recorder
	mt.RegisterResponder(http.MethodPost, "https://api.cryptomus.com/v1/wallet/block-address",
		rec.Wrap(jsonResponder(200, `{"state":0,"result":{"uuid":"`+testWallet+`","status":"blocked"}}`)))

	res, err := c.BlockAddress(context.Background(), BlockAddressRequest{OrderID: "1"})
	require.NoError(t, err)
	require.Equal(t, testWallet, res.UUID)
	require.Equal(t, WalletStatusBlocked, res.Status)
	require.Equal(t, 200, res.StatusCode)
	require.Equal(t, 1, res.Attempts)

	reqs := rec.Requests()
	require.Len(t, reqs, 1)
	r := reqs[0]
	require.Equal(t, http.MethodPost, r.Method)
	require.Equal(t, "/v1/wallet/block-address", r.URL.Path)
	require.Empty(t, r.URL.RawQuery)
	// Exact bytes: only the identifier given, and the golden signature
	// over exactly these bytes.
	require.Equal(t, `{"order_id":"1"}`, string(r.Body))
	require.Equal(t, testMerchant, r.Header.Get("merchant"))
	require.Equal(t, "f2f77229524e11de509eac15cce3f088", r.Header.Get("sign"))
	require.Equal(t, "application/json", r.Header.Get("Content-Type"))

	_, err = c.BlockAddress(context.Background(), BlockAddressRequest{UUID: testWallet, IsForceRefund: true})
	require.NoError(t, err)
	requireJSON(t, `{"uuid":"`+testWallet+`","is_force_refund":true}`, rec.Requests()[1].Body)
}

// A body with "/" and non-ASCII text is signed exactly as sent: the bug
// that got other clients "Invalid Sign.".
func TestSignedBytesAreSentBytes(t *testing.T) {
	t.Parallel()
	c, mt := newMocked(t)
	var rec testkit.Recorder
	mt.RegisterResponder(http.MethodPost, "https://api.cryptomus.com/v1/wallet",
		rec.Wrap(jsonResponder(200, `{"state":0,"result":{"wallet_uuid":"w","uuid":"u","address":"a","network":"tron","currency":"USDT","url":"https://pay.cryptomus.com/wallet/u"}}`)))
	_, err := c.CreateStaticWallet(context.Background(), CreateStaticWalletRequest{
		Currency: "USDT", Network: "tron", OrderID: "заказ-1", URLCallback: "https://shop.example/cb?a=1&b=<2>", FromReferralCode: "ref/ü",
	})
	require.NoError(t, err)
	r := rec.Requests()[0]
	requireJSON(t, `{"currency":"USDT","network":"tron","order_id":"заказ-1","url_callback":"https://shop.example/cb?a=1&b=<2>","from_referral_code":"ref/ü"}`, r.Body)
	require.Equal(t, sign(r.Body, testKey), r.Header.Get("sign"))
}

func TestCreateStaticWalletWire(t *testing.T) {
	t.Parallel()
	c, mt := newMocked(t)
	var rec testkit.Recorder
	mt.RegisterResponder(http.MethodPost, "https://api.cryptomus.com/v1/wallet",
		rec.Wrap(jsonResponder(200, `{"state":0,"result":{"wallet_uuid":"4e9ca8d2-a2b4-4b56-9a25-3bb6ed7f2bd3","uuid":"`+testWallet+`","address":"TK8Qa2qXnF3rBrSzrHgCHWvv8qXx5UbpYm","network":"tron","currency":"USDT","url":"https://pay.cryptomus.com/wallet/`+testWallet+`"}}`)))
	w, err := c.CreateStaticWallet(context.Background(), CreateStaticWalletRequest{Currency: "USDT", Network: "tron", OrderID: "1"})
	require.NoError(t, err)
	require.Equal(t, "4e9ca8d2-a2b4-4b56-9a25-3bb6ed7f2bd3", w.WalletUUID)
	require.Equal(t, testWallet, w.UUID)
	require.Equal(t, "TK8Qa2qXnF3rBrSzrHgCHWvv8qXx5UbpYm", w.Address)
	require.Equal(t, "tron", w.Network)
	require.Equal(t, "USDT", w.Currency)
	require.Equal(t, "https://pay.cryptomus.com/wallet/"+testWallet, w.URL)
	r := rec.Requests()[0]
	require.Equal(t, "/v1/wallet", r.URL.Path)
	require.Equal(t, `{"currency":"USDT","network":"tron","order_id":"1"}`, string(r.Body))
}

func TestRefundBlockedAddressWire(t *testing.T) {
	t.Parallel()
	c, mt := newMocked(t)
	var rec testkit.Recorder
	mt.RegisterResponder(http.MethodPost, "https://api.cryptomus.com/v1/wallet/blocked-address-refund",
		rec.Wrap(jsonResponder(200, `{"state":0,"result":{"commission":"0.50","amount":"9.50"}}`)))
	res, err := c.RefundBlockedAddress(context.Background(), RefundBlockedAddressRequest{UUID: testWallet, Address: "TK8Qa2qXnF3rBrSzrHgCHWvv8qXx5UbpYm"})
	require.NoError(t, err)
	require.Equal(t, "0.50", res.Commission)
	require.Equal(t, "9.50", res.Amount)
	require.Equal(t, 1, res.Attempts)
	r := rec.Requests()[0]
	require.Equal(t, "/v1/wallet/blocked-address-refund", r.URL.Path)
	require.Equal(t, `{"uuid":"`+testWallet+`","address":"TK8Qa2qXnF3rBrSzrHgCHWvv8qXx5UbpYm"}`, string(r.Body))
	require.Equal(t, sign(r.Body, testKey), r.Header.Get("sign"))
}

// Amounts are decimal strings, never float64: precision beyond float64
// survives, and a number literal is kept as written.
func TestRefundAmountsExact(t *testing.T) {
	t.Parallel()
	c, mt := newMocked(t)
	mt.RegisterResponder(http.MethodPost, "https://api.cryptomus.com/v1/wallet/blocked-address-refund",
		jsonResponder(200, `{"state":0,"result":{"commission":"0.000000000000000001","amount":12345678901234567.10}}`))
	res, err := c.RefundBlockedAddress(context.Background(), RefundBlockedAddressRequest{OrderID: "o-1", Address: "TK8Qa2qXnF3rBrSzrHgCHWvv8qXx5UbpYm"})
	require.NoError(t, err)
	require.Equal(t, "0.000000000000000001", res.Commission)
	require.Equal(t, "12345678901234567.10", res.Amount)
}

func TestLocalValidationSendsNothing(t *testing.T) {
	t.Parallel()
	c, mt := newMocked(t)
	ctx := context.Background()
	long := strings.Repeat("a", 33)
	addr := "TK8Qa2qXnF3rBrSzrHgCHWvv8qXx5UbpYm"
	cases := []struct {
		name, field string
		call        func() error
	}{
		{"block none", "uuid", func() error { _, err := c.BlockAddress(ctx, BlockAddressRequest{}); return err }},
		{"block both", "uuid", func() error {
			_, err := c.BlockAddress(ctx, BlockAddressRequest{UUID: testWallet, OrderID: "1"})
			return err
		}},
		{"block bad uuid", "uuid", func() error { _, err := c.BlockAddress(ctx, BlockAddressRequest{UUID: "not-a-uuid"}); return err }},
		{"block uuid 37", "uuid", func() error { _, err := c.BlockAddress(ctx, BlockAddressRequest{UUID: testWallet + "0"}); return err }},
		{"block long order", "order_id", func() error { _, err := c.BlockAddress(ctx, BlockAddressRequest{OrderID: long}); return err }},
		{"block order space", "order_id", func() error { _, err := c.BlockAddress(ctx, BlockAddressRequest{OrderID: "a b"}); return err }},
		{"block order slash", "order_id", func() error { _, err := c.BlockAddress(ctx, BlockAddressRequest{OrderID: "a/b"}); return err }},
		{"refund none", "uuid", func() error {
			_, err := c.RefundBlockedAddress(ctx, RefundBlockedAddressRequest{Address: addr})
			return err
		}},
		{"refund both", "uuid", func() error {
			_, err := c.RefundBlockedAddress(ctx, RefundBlockedAddressRequest{UUID: testWallet, OrderID: "1", Address: addr})
			return err
		}},
		{"refund no address", "address", func() error {
			_, err := c.RefundBlockedAddress(ctx, RefundBlockedAddressRequest{UUID: testWallet})
			return err
		}},
		{"refund short address", "address", func() error {
			_, err := c.RefundBlockedAddress(ctx, RefundBlockedAddressRequest{UUID: testWallet, Address: "123456789"})
			return err
		}},
		{"refund long address", "address", func() error {
			_, err := c.RefundBlockedAddress(ctx, RefundBlockedAddressRequest{UUID: testWallet, Address: strings.Repeat("a", 129)})
			return err
		}},
		{"refund bad address", "address", func() error {
			_, err := c.RefundBlockedAddress(ctx, RefundBlockedAddressRequest{UUID: testWallet, Address: "0xabc.def.123"})
			return err
		}},
		{"create no currency", "currency", func() error {
			_, err := c.CreateStaticWallet(ctx, CreateStaticWalletRequest{Network: "tron", OrderID: "1"})
			return err
		}},
		{"create no network", "network", func() error {
			_, err := c.CreateStaticWallet(ctx, CreateStaticWalletRequest{Currency: "USDT", OrderID: "1"})
			return err
		}},
		{"create no order", "order_id", func() error {
			_, err := c.CreateStaticWallet(ctx, CreateStaticWalletRequest{Currency: "USDT", Network: "tron"})
			return err
		}},
		{"create long order", "order_id", func() error {
			_, err := c.CreateStaticWallet(ctx, CreateStaticWalletRequest{Currency: "USDT", Network: "tron", OrderID: strings.Repeat("a", 101)})
			return err
		}},
		{"create short callback", "url_callback", func() error {
			_, err := c.CreateStaticWallet(ctx, CreateStaticWalletRequest{Currency: "USDT", Network: "tron", OrderID: "1", URLCallback: "a.b"})
			return err
		}},
		{"create relative callback", "url_callback", func() error {
			_, err := c.CreateStaticWallet(ctx, CreateStaticWalletRequest{Currency: "USDT", Network: "tron", OrderID: "1", URLCallback: "/callback/path"})
			return err
		}},
	}
	for _, tc := range cases {
		err := tc.call()
		require.ErrorIs(t, err, restrict.ErrInvalidRequest, tc.name)
		var ae *restrict.APIError
		require.True(t, errors.As(err, &ae), tc.name)
		require.Contains(t, ae.Fields, tc.field, tc.name)
		require.Zero(t, ae.Attempts, tc.name)
	}
	require.Zero(t, mt.GetTotalCallCount())

	// The 32-character order ID and a Unicode one are valid.
	mt.RegisterResponder(http.MethodPost, "https://api.cryptomus.com/v1/wallet/block-address",
		jsonResponder(200, `{"state":0,"result":{"uuid":"`+testWallet+`","status":"blocked"}}`))
	_, err := c.BlockAddress(ctx, BlockAddressRequest{OrderID: long[:32]})
	require.NoError(t, err)
	_, err = c.BlockAddress(ctx, BlockAddressRequest{OrderID: "заказ_1"})
	require.NoError(t, err)
	_, err = c.BlockAddress(ctx, BlockAddressRequest{UUID: strings.ToUpper(testWallet)})
	require.NoError(t, err)
}

func TestRefundNotRetriedOn500(t *testing.T) {
	t.Parallel()
	c, mt := newMocked(t, fastRetry)
	mt.RegisterResponder(http.MethodPost, "https://api.cryptomus.com/v1/wallet/blocked-address-refund",
		jsonResponder(500, `{"message":"Server error, #1","code":500,"error":null}`))
	_, err := c.RefundBlockedAddress(context.Background(), RefundBlockedAddressRequest{UUID: testWallet, Address: "TK8Qa2qXnF3rBrSzrHgCHWvv8qXx5UbpYm"})
	require.ErrorIs(t, err, restrict.ErrUnavailable)
	var ae *restrict.APIError
	require.True(t, errors.As(err, &ae))
	require.Equal(t, 1, ae.Attempts)
	require.Equal(t, 500, ae.StatusCode)
	require.Equal(t, "Server error, #1", ae.Message)
	require.Equal(t, 1, mt.GetTotalCallCount())
}

func TestBlockAddressRetriedOn503(t *testing.T) {
	t.Parallel()
	c, mt := newMocked(t, fastRetry)
	var rec testkit.Recorder
	mt.RegisterResponder(http.MethodPost, "https://api.cryptomus.com/v1/wallet/block-address",
		rec.Wrap(httpmock.ResponderFromMultipleResponses([]*http.Response{
			httpmock.NewStringResponse(503, `<html>Service Unavailable</html>`),
			httpmock.NewStringResponse(200, `{"state":0,"result":{"uuid":"`+testWallet+`","status":"blocked"}}`),
		})))
	res, err := c.BlockAddress(context.Background(), BlockAddressRequest{UUID: testWallet})
	require.NoError(t, err)
	require.Equal(t, 2, res.Attempts)
	reqs := rec.Requests()
	require.Len(t, reqs, 2)
	// Every attempt carries the same bytes and their signature.
	for _, r := range reqs {
		require.Equal(t, `{"uuid":"`+testWallet+`"}`, string(r.Body))
		require.Equal(t, sign(r.Body, testKey), r.Header.Get("sign"))
	}
}

func TestBlockAddressRetriedOn500ThenGivesUp(t *testing.T) {
	t.Parallel()
	c, mt := newMocked(t, fastRetry)
	mt.RegisterResponder(http.MethodPost, "https://api.cryptomus.com/v1/wallet/block-address",
		jsonResponder(500, `{"message":"Server error, #1","code":500,"error":null}`))
	_, err := c.BlockAddress(context.Background(), BlockAddressRequest{UUID: testWallet})
	require.ErrorIs(t, err, restrict.ErrUnavailable)
	var ae *restrict.APIError
	require.True(t, errors.As(err, &ae))
	require.Equal(t, 3, ae.Attempts)
	require.Empty(t, ae.Code, "Cryptomus has no error codes; the 500 handler's code echoes the status")
	require.Equal(t, "Server error, #1", ae.Message)
	require.Equal(t, 3, mt.GetTotalCallCount())
}

func TestCreateStaticWalletNotRetriedOn500(t *testing.T) {
	t.Parallel()
	c, mt := newMocked(t, fastRetry)
	mt.RegisterResponder(http.MethodPost, "https://api.cryptomus.com/v1/wallet",
		jsonResponder(500, `{"message":"Server error, #1","code":500,"error":null}`))
	_, err := c.CreateStaticWallet(context.Background(), CreateStaticWalletRequest{Currency: "USDT", Network: "tron", OrderID: "1"})
	require.ErrorIs(t, err, restrict.ErrUnavailable)
	require.Equal(t, 1, mt.GetTotalCallCount())
}

// A block with IsForceRefund triggers Cryptomus' one-time refund, so it is
// not sent again once it may have arrived: not after a 500 or 503, and not
// after a failure a RoundTripper cannot place. A plain block is.
func TestForceRefundBlockIsNotRepeated(t *testing.T) {
	t.Parallel()
	lost := func(*http.Request) (*http.Response, error) { return nil, errors.New("connection reset by peer") }
	for name, responder := range map[string]httpmock.Responder{
		"500":         jsonResponder(500, `{"message":"Server error, #1","code":500,"error":null}`),
		"503":         jsonResponder(503, `<html>Service Unavailable</html>`),
		"answer lost": lost,
	} {
		for _, force := range []bool{true, false} {
			c, mt := newMocked(t, fastRetry)
			mt.RegisterResponder(http.MethodPost, "https://api.cryptomus.com/v1/wallet/block-address", responder)
			_, err := c.BlockAddress(context.Background(), BlockAddressRequest{UUID: testWallet, IsForceRefund: force})
			require.ErrorIs(t, err, restrict.ErrUnavailable, name)
			want := 3
			if force {
				want = 1
			}
			require.Equal(t, want, mt.GetTotalCallCount(), "%s, force refund %v", name, force)
		}
	}
}
