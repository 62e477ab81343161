package cryptomus

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/transport"
)

func TestErrorShapes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		status  int
		body    string
		class   error
		code    string
		message string
		fields  map[string][]string
	}{
		{"422 fields", 422, `{"state":1,"errors":{"uuid":["validation.required_without"],"order_id":["validation.required_without"]}}`,
			restrict.ErrInvalidRequest, "", "validation failed",
			map[string][]string{"uuid": {"validation.required_without"}, "order_id": {"validation.required_without"}}},
		{"422 bare", 422, `{"state":1}`, restrict.ErrInvalidRequest, "", "", nil},
		{"422 field as string", 422, `{"state":1,"errors":{"address":"validation.alpha_dash"}}`,
			restrict.ErrInvalidRequest, "", "validation failed", map[string][]string{"address": {"validation.alpha_dash"}}},
		{"422 errors as PHP empty array", 422, `{"state":1,"errors":[]}`, restrict.ErrInvalidRequest, "", "", nil},
		{"200 state 1 fields", 200, `{"state":1,"errors":{"order_id":["validation.max.string"]}}`,
			restrict.ErrInvalidRequest, "", "validation failed", map[string][]string{"order_id": {"validation.max.string"}}},
		{"not found", 404, `{"state":1,"message":"Not found"}`, restrict.ErrNotFound, "", "Not found", nil},
		{"not found on 200", 200, `{"state":1,"message":"Not found"}`, restrict.ErrNotFound, "", "Not found", nil},
		{"not found on 422", 422, `{"state":1,"message":"Wallet not found"}`, restrict.ErrNotFound, "", "Wallet not found", nil},
		{"withdraw once", 422, `{"state":1,"message":"You can withdraw only once"}`, restrict.ErrConflict, "", "You can withdraw only once", nil},
		{"withdraw once on 200", 200, `{"state":1,"message":"You can withdraw only once"}`, restrict.ErrConflict, "", "You can withdraw only once", nil},
		{"invalid sign 401", 401, `{"state":1,"message":"Invalid Sign."}`, restrict.ErrUnauthorized, "", "Invalid Sign.", nil},
		{"invalid sign 200", 200, `{"state":1,"message":"Invalid Sign."}`, restrict.ErrUnauthorized, "", "Invalid Sign.", nil},
		{"401 other message", 401, `{"state":1,"message":"Unauthenticated."}`, restrict.ErrUnauthorized, "", "Unauthenticated.", nil},
		{"200 state 1 unknown message", 200, `{"state":1,"message":"Payments to this wallet are refunded automatically"}`,
			restrict.ErrInvalidRequest, "", "Payments to this wallet are refunded automatically", nil},
		{"500 server error", 500, `{"message":"Server error, #1","code":500,"error":null}`, restrict.ErrUnavailable, "", "Server error, #1", nil},
		{"500 error field only", 500, `{"code":500,"error":"database down"}`, restrict.ErrUnavailable, "", "database down", nil},
		{"502 html", 502, `<html><body>Bad Gateway</body></html>`, restrict.ErrUnavailable, "", "<html><body>Bad Gateway</body></html>", nil},
		{"403 empty", 403, ``, restrict.ErrForbidden, "", "", nil},
		{"429", 429, `{"state":1,"message":"Too Many Attempts."}`, restrict.ErrRateLimited, "", "Too Many Attempts.", nil},
		{"200 without state but a message", 200, `{"message":"Server error, #2","code":500}`, restrict.ErrUnavailable, "", "Server error, #2", nil},
		{"200 without state, 4xx code", 200, `{"message":"Unauthenticated.","code":401}`, restrict.ErrInvalidRequest, "", "Unauthenticated.", nil},
		{"404 state 0", 404, `{"state":0,"result":{}}`, restrict.ErrNotFound, "", "", nil},
		// A 404 without Cryptomus' state is the web server's: a wrong
		// address, not a missing wallet.
		{"404 Laravel route", 404, `{"message":"Not Found"}`, restrict.ErrInvalidRequest, "",
			transport.WrongAddress + ` (the answer: {"message":"Not Found"})`, nil},
		{"404 Go mux", 404, "404 page not found\n", restrict.ErrInvalidRequest, "", transport.WrongAddress + " (the answer: 404 page not found)", nil},
	}
	for _, tc := range cases {
		c, mt := newMocked(t, restrict.WithRetry(restrict.RetryPolicy{MaxAttempts: 1}))
		mt.RegisterResponder(http.MethodPost, "https://api.cryptomus.com/v1/wallet/block-address", jsonResponder(tc.status, tc.body))
		res, err := c.BlockAddress(context.Background(), BlockAddressRequest{UUID: testWallet})
		require.Nil(t, res, tc.name)
		require.ErrorIs(t, err, tc.class, tc.name)
		var ae *restrict.APIError
		require.True(t, errors.As(err, &ae), tc.name)
		require.Equal(t, Provider, ae.Provider, tc.name)
		require.Equal(t, "BlockAddress", ae.Operation, tc.name)
		require.Equal(t, tc.status, ae.StatusCode, tc.name)
		require.Equal(t, tc.code, ae.Code, tc.name)
		require.Equal(t, tc.message, ae.Message, tc.name)
		require.Equal(t, tc.fields, ae.Fields, tc.name)
		require.Equal(t, 1, ae.Attempts, tc.name)
		require.NotContains(t, err.Error(), testKey, tc.name)
	}
}

// Answers that are not Cryptomus' envelopes on a 2xx are unreadable:
// ErrUnavailable, never a silent success.
func TestUnreadableSuccess(t *testing.T) {
	t.Parallel()
	for _, body := range []string{``, `not json`, `{"result":{"uuid":"x"}}`, `{"state":0}`, `{"state":0,"result":null}`, `[]`, `null`, `{"state":0,"result":"text"}`} {
		c, mt := newMocked(t)
		mt.RegisterResponder(http.MethodPost, "https://api.cryptomus.com/v1/wallet/block-address", jsonResponder(200, body))
		_, err := c.BlockAddress(context.Background(), BlockAddressRequest{UUID: testWallet})
		require.ErrorIs(t, err, restrict.ErrUnavailable, body)
		var ae *restrict.APIError
		require.True(t, errors.As(err, &ae), body)
		require.Equal(t, 200, ae.StatusCode, body)
	}
}

// A provider that echoes the key or the signature back never gets either
// into an error message.
func TestNoSecretInErrors(t *testing.T) {
	t.Parallel()
	c, mt := newMocked(t)
	sig := sign([]byte(`{"uuid":"`+testWallet+`"}`), testKey)
	mt.RegisterResponder(http.MethodPost, "https://api.cryptomus.com/v1/wallet/block-address",
		jsonResponder(401, `{"state":1,"message":"Invalid Sign. key `+testKey+` sign `+sig+`"}`))
	_, err := c.BlockAddress(context.Background(), BlockAddressRequest{UUID: testWallet})
	require.ErrorIs(t, err, restrict.ErrUnauthorized)
	require.NotContains(t, err.Error(), testKey)
	require.NotContains(t, err.Error(), sig)
}

func TestDecodeSuccess(t *testing.T) {
	t.Parallel()
	var out BlockAddressResult
	err := decode(&transport.Response{StatusCode: 200, Body: []byte(`{"state":0,"result":{"uuid":"u","status":"in_active"}}`)}, &out)
	require.NoError(t, err)
	require.Equal(t, WalletStatusInActive, out.Status)
	require.NoError(t, decode(&transport.Response{StatusCode: 200, Body: []byte(`{"state":0,"result":[]}`)}, nil))
	out = BlockAddressResult{}
	require.NoError(t, decode(&transport.Response{StatusCode: 200, Body: []byte(`{"state":"0","result":{"uuid":"u","status":"active"}}`)}, &out))
	require.Equal(t, WalletStatusActive, out.Status)

	err = decode(&transport.Response{StatusCode: 200, Body: []byte(`{"state":1}`)}, &out)
	require.ErrorIs(t, err, restrict.ErrInvalidRequest, "HTTP 200 with state 1 is an error")
}
