package cryptomus

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/transport"
)

// signer sets Cryptomus' merchant and sign headers on every attempt.
type signer struct {
	merchantID string
	key        restrict.Secret
}

// Sign signs a.Body, which the transport sends byte for byte: Cryptomus
// hashes the raw body it receives, so signing any other encoding of the
// same data (escaped slashes, reordered keys) is answered "Invalid Sign.".
//
// https://doc.cryptomus.com/business/general/request-format
func (s signer) Sign(_ context.Context, a *transport.Attempt) error {
	a.Header.Set("merchant", s.merchantID)
	a.Header.Set("sign", sign(a.Body, string(s.key)))
	return nil
}

// sign is lowercase hex MD5(standard base64(body) + key). An empty body is
// signed as the empty string, as Cryptomus' request-format page says.
// Webhooks are signed the same way, over the payload as PHP encodes it.
func sign(body []byte, key string) string {
	msg := base64.StdEncoding.AppendEncode(nil, body)
	sum := md5.Sum(append(msg, key...))
	return hex.EncodeToString(sum[:])
}
