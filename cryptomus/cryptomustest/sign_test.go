package cryptomustest_test

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
)

// sign is the request signature, written again here from Cryptomus' docs.
func sign(body string) string {
	sum := md5.Sum([]byte(base64.StdEncoding.EncodeToString([]byte(body)) + paymentKey))
	return hex.EncodeToString(sum[:])
}
