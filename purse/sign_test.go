package purse_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/purse"
)

func TestSignDocumentedVector(t *testing.T) {
	t.Parallel()
	// From docs.calypso.finance/reference/authentification; the full hex
	// computed with python3 hmac/hashlib, whose first 64 characters are the
	// documented ones.
	const want = "b16e9d45f49f2069becbc4f108b237bee588cfc353fe9501df103e692acbc68d" +
		"482a10d34c12bea22fedde7e28e1b8e57a6a0a373b0e9a27c5257bd8b36e13b9"
	require.Equal(t, want, purse.Sign("b823a6b9ea72408583cef9ec8d67fa52", []byte(`{"timestamp":1}`)))
}

func TestVerifyWebhook(t *testing.T) {
	t.Parallel()
	body := []byte(`{"timestamp":1}`)
	good := "b16e9d45f49f2069becbc4f108b237bee588cfc353fe9501df103e692acbc68d" +
		"482a10d34c12bea22fedde7e28e1b8e57a6a0a373b0e9a27c5257bd8b36e13b9"
	require.True(t, purse.VerifyWebhook("b823a6b9ea72408583cef9ec8d67fa52", body, good))
	require.False(t, purse.VerifyWebhook("b823a6b9ea72408583cef9ec8d67fa52", []byte(`{"timestamp":2}`), good))
	require.False(t, purse.VerifyWebhook("other", body, good))
	require.False(t, purse.VerifyWebhook("b823a6b9ea72408583cef9ec8d67fa52", body, "not hex"))
	require.False(t, purse.VerifyWebhook("", body, good))
}

// FuzzVerifyWebhook checks the webhook verifier on arbitrary bodies and
// signatures: it never panics, accepts exactly the signature of the body it
// is given (hex in either case), and refuses it once the body changes.
func FuzzVerifyWebhook(f *testing.F) {
	f.Add([]byte(`{"timestamp":1}`), "b16e9d45", "b823a6b9ea72408583cef9ec8d67fa52")
	f.Add([]byte(``), "", "k")
	f.Add([]byte(`{"type":"CUSTOMER_PURSE_FUNDS_RECEIVED_FOR_PURSE","blocked":true}`), "zz", "secret")
	f.Fuzz(func(t *testing.T, body []byte, sign string, key string) {
		_ = purse.VerifyWebhook(restrict.Secret(key), body, sign)
		if key == "" {
			return
		}
		good := purse.Sign(restrict.Secret(key), body)
		require.True(t, purse.VerifyWebhook(restrict.Secret(key), body, good))
		require.True(t, purse.VerifyWebhook(restrict.Secret(key), body, strings.ToUpper(good)))
		changed := append(append([]byte(nil), body...), ' ')
		require.False(t, purse.VerifyWebhook(restrict.Secret(key), changed, good))
	})
}
