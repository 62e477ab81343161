package purse

import (
	"context"
	"crypto/hmac"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/transport"
)

// signer signs every attempt of a client, and corrects the client's clock
// when Calypso rejects a timestamp because of it.
type signer struct{ c *Client }

// Sign wraps the attempt's payload in Calypso's envelope, dated now, and
// signs exactly those bytes, which are the bytes sent. The transport calls
// it before every attempt, so a retry after a long backoff carries a fresh
// timestamp and signature instead of one the server would reject as stale.
func (s signer) Sign(_ context.Context, a *transport.Attempt) error {
	c := s.c
	body := envelope(c.accountJSON, a.Now.Add(time.Duration(c.offset.Load())).UnixMilli(), a.Body)
	a.Body = body
	a.Header.Set("Key", string(c.key))
	a.Header.Set("Sign", Sign(c.secret, body))
	return nil
}

// envelope returns the body of every request, {"account":…,"timestamp":…,
// "payload":…}: the merchant account (already a JSON string), the time of
// the attempt in Unix milliseconds (Calypso allows three minutes either
// way), and the operation's payload, which the transport encoded once for
// all attempts (every operation has one: Calypso requires it). Only the
// timestamp changes between attempts, so the rest is joined as it is
// rather than encoded again.
func envelope(account []byte, ts int64, payload []byte) []byte {
	b := make([]byte, 0, len(account)+len(payload)+48)
	b = append(b, `{"account":`...)
	b = append(b, account...)
	b = append(b, `,"timestamp":`...)
	b = strconv.AppendInt(b, ts, 10)
	b = append(b, `,"payload":`...)
	b = append(b, payload...)
	return append(b, '}')
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

// maxSkew is how far our clock may disagree with the server's Date before a
// rejected timestamp is blamed on it. Date has one-second resolution and
// the server allows three minutes, so one minute is well clear of noise.
const maxSkew = time.Minute

// learn compares the offset the server's Date implies (measured) with the
// one the rejected call was dated with (used). Only if they differ by more
// than maxSkew was our clock to blame, and only then is the new offset
// stored and a retry worth making. Comparing with the offset the call
// used, not the current one, lets concurrent calls rejected together all
// retry, whichever of them stored the offset first.
func (c *Client) learn(used, measured time.Duration) bool {
	if d := measured - used; d <= maxSkew && d >= -maxSkew {
		return false
	}
	c.offset.Store(int64(measured))
	return true
}

// ClockOffset is the correction the client adds to its clock when dating a
// request: zero until the server rejects a timestamp (errorCode 011) and
// its Date header shows a skew of more than a minute. It follows the
// server's clock both ways: a later rejection with a Date that agrees with
// this machine's clock sets it back to zero.
func (c *Client) ClockOffset() time.Duration { return time.Duration(c.offset.Load()) }

// Sign returns Calypso's signature of body: the lowercase hex of
// HMAC-SHA512 keyed with secret. Requests are signed with the API secret,
// and Calypso signs webhooks with the subscription's secretKey, so a test
// can sign a webhook body with it for VerifyWebhook.
// https://docs.calypso.finance/reference/authentification
func Sign(secret restrict.Secret, body []byte) string {
	return hex.EncodeToString(mac(secret, body))
}

// mac is HMAC-SHA512 of body keyed with secret.
func mac(secret restrict.Secret, body []byte) []byte {
	m := hmac.New(sha512.New, []byte(secret))
	m.Write(body)
	return m.Sum(nil)
}
