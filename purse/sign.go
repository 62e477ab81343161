package purse

import (
	"context"
	"crypto/hmac"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"errors"
	"hash"
	"strconv"
	"sync"
	"time"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/transport"
)

// signer signs every attempt of a client, and corrects the client's clock
// when Calypso rejects a timestamp because of it.
type signer struct{ c *Client }

// Sign wraps the attempt's payload in Calypso's envelope, dated now, and
// signs exactly those bytes. The transport calls it before every attempt,
// so a retry after a long backoff carries a fresh timestamp and signature
// instead of one the server would reject as stale.
func (s signer) Sign(_ context.Context, a *transport.Attempt) error {
	c := s.c
	ts := a.Now.Add(time.Duration(c.offset.Load())).UnixMilli()
	body := envelope(c.accountJSON, ts, a.Body)
	a.Body = body
	a.Header.Set("Key", string(c.key))
	a.Header.Set("Sign", c.macs.sign(body))
	return nil
}

// Renew learns the server's clock from a rejected timestamp (errorCode 011
// with a Date header) and allows the one more try when our clock was to
// blame. Sending even a non-idempotent call again is safe here: a rejected
// timestamp means the server refused the request before acting on it.
func (s signer) Renew(rejected *transport.Attempt, err error) bool {
	var skew *skewError
	if !errors.As(err, &skew) {
		return false
	}
	// The offset the rejected attempt was dated with, read back from what
	// was sent rather than from the client, which a concurrent call may
	// have corrected since.
	var sent struct {
		Timestamp int64 `json:"timestamp"`
	}
	if json.Unmarshal(rejected.Body, &sent) != nil {
		return false
	}
	used := time.UnixMilli(sent.Timestamp).Sub(rejected.Now)
	return s.c.learn(used.Round(time.Second), skew.offset)
}

// macPool keeps HMAC-SHA512 states keyed with one client's secret, so that
// signing a request does not set up the key (two SHA-512 blocks and their
// allocations) every time. Each state is used by one call at a time.
type macPool struct{ pool sync.Pool }

func newMACPool(secret restrict.Secret) *macPool {
	return &macPool{pool: sync.Pool{New: func() any { return hmac.New(sha512.New, []byte(secret)) }}}
}

// sign is Sign(secret, body) with a pooled state.
func (p *macPool) sign(body []byte) string {
	m := p.pool.Get().(hash.Hash)
	m.Reset()
	m.Write(body)
	var sum [sha512.Size]byte
	s := hex.EncodeToString(m.Sum(sum[:0]))
	p.pool.Put(m)
	return s
}

// envelope builds {"account":…,"timestamp":…,"payload":…} around a payload
// that is already JSON, so the payload is encoded once per call and only
// the timestamp changes between attempts. acct is the account already
// encoded as a JSON string (once, in New).
func envelope(acct []byte, ts int64, payload []byte) []byte {
	if len(payload) == 0 {
		payload = []byte("{}")
	}
	b := make([]byte, 0, len(acct)+len(payload)+48)
	b = append(b, `{"account":`...)
	b = append(b, acct...)
	b = append(b, `,"timestamp":`...)
	b = strconv.AppendInt(b, ts, 10)
	b = append(b, `,"payload":`...)
	b = append(b, payload...)
	b = append(b, '}')
	return b
}

// Sign returns Calypso's signature of body: the lowercase hex of
// HMAC-SHA512 keyed with secret. Requests are signed with the API secret,
// webhooks with the subscription's secretKey.
// https://docs.calypso.finance/reference/authentification
func Sign(secret restrict.Secret, body []byte) string {
	m := hmac.New(sha512.New, []byte(secret))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// VerifyWebhook reports whether sign, the Sign header of a webhook, is the
// signature of body under the subscription's secretKey. It compares in
// constant time, and accepts the hex in either case.
// https://docs.calypso.money (Webhook subscriptions, "Sign check")
func VerifyWebhook(secretKey restrict.Secret, body []byte, sign string) bool {
	got, err := hex.DecodeString(sign)
	if err != nil || secretKey == "" {
		return false
	}
	m := hmac.New(sha512.New, []byte(secretKey))
	m.Write(body)
	return hmac.Equal(got, m.Sum(nil))
}
