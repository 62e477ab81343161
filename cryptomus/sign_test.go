package cryptomus

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict/internal/transport"
)

// The expected signatures were computed outside Go:
//
//	b=$(printf '%s' '{"order_id":"1"}' | base64 -w0)   # eyJvcmRlcl9pZCI6IjEifQ==
//	printf '%s' "${b}test-payment-key" | openssl md5
//
// and for the empty body, python3 hashlib.md5(b"" + b"test-payment-key").
func TestSignGolden(t *testing.T) {
	t.Parallel()
	require.Equal(t, "f2f77229524e11de509eac15cce3f088", sign([]byte(`{"order_id":"1"}`), testKey))
	require.Equal(t, "0f471ea3d804a8999b0b45e578e8b652", sign(nil, testKey))
}

func TestSignerSetsHeadersOverExactBody(t *testing.T) {
	t.Parallel()
	a := &transport.Attempt{Header: http.Header{}, Body: []byte(`{"order_id":"1"}`)}
	require.NoError(t, signer{merchantID: testMerchant, key: testKey}.Sign(context.Background(), a))
	require.Equal(t, testMerchant, a.Header.Get("merchant"))
	require.Equal(t, "f2f77229524e11de509eac15cce3f088", a.Header.Get("sign"))
	require.Equal(t, `{"order_id":"1"}`, string(a.Body), "the signer must not change the body")
}
