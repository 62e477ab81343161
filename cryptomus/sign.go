package cryptomus

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"strings"

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
func (s signer) Sign(_ context.Context, a *transport.Attempt) error {
	a.Header.Set("merchant", s.merchantID)
	a.Header.Set("sign", sign(a.Body, string(s.key)))
	return nil
}

// sign is lowercase hex MD5(standard base64(body) + key). An empty body is
// signed as the empty string, as Cryptomus' request-format page says.
//
// The base64 text and the key are hashed as one buffer, on the stack when
// they fit: a streaming base64.NewEncoder allocates a kilobyte per call.
func sign(body []byte, key string) string {
	var stack [512]byte
	msg := base64.StdEncoding.AppendEncode(stack[:0], body)
	msg = append(msg, key...)
	sum := md5.Sum(msg)
	return hex.EncodeToString(sum[:])
}

// maxWebhookBytes bounds the webhook bodies VerifyWebhook reads; a real one
// is under a few kilobytes.
const maxWebhookBytes = 1 << 20

// VerifyWebhook checks the sign field of a webhook body with the payment
// key, and returns its payload. Cryptomus signs the payload without sign,
// encoded as PHP's json_encode(JSON_UNESCAPED_UNICODE) does: compact, keys
// in the order sent, numbers verbatim, non-ASCII text raw, "/" escaped as
// "\/". The comparison takes constant time.
//
// Every failure, a malformed body included, matches restrict.ErrUnauthorized:
// a webhook that cannot be verified must not be acted on. Payout webhooks
// are signed with the payout key, which this client does not hold, so they
// do not verify here.
//
// https://doc.cryptomus.com/en/business/payments/webhook
func (c *Client) VerifyWebhook(body []byte) (*Webhook, error) {
	fail := func(msg string) (*Webhook, error) {
		return nil, &restrict.APIError{Provider: Provider, Operation: "VerifyWebhook", Class: restrict.ErrUnauthorized, Message: msg}
	}
	if len(body) > maxWebhookBytes {
		return fail("webhook body larger than 1 MiB")
	}
	got, candidates, err := webhookSigned(body)
	if err != nil {
		return fail(err.Error())
	}
	key := string(*c.key)
	ok := 0
	for _, data := range candidates {
		want := sign(data, key)
		ok |= subtle.ConstantTimeCompare([]byte(want), []byte(strings.ToLower(got)))
	}
	if ok != 1 {
		return fail("the webhook's sign does not match its payload")
	}
	var w Webhook
	if err := json.Unmarshal(body, &w); err != nil {
		// The signature is good but the payload is not shaped as
		// documented; acting on a half-read payload would be worse than
		// refusing it.
		return fail("signed webhook payload is not shaped as documented: " + err.Error())
	}
	w.Raw = append(json.RawMessage(nil), body...)
	return &w, nil
}

// webhookSigned returns the sign field of a webhook body and the encodings
// of the rest that Cryptomus may have signed. There is one, unless the body
// holds an empty object: PHP decodes {} to an empty array and re-encodes it
// as [], so Cryptomus' own SDK verifies with [] there, while a sender that
// kept the object signed {}. Both are accepted; each is a MAC with the key.
func webhookSigned(body []byte) (string, [][]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var e phpEncoder
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return "", nil, errors.New("webhook body is not a JSON object")
	}
	var got string
	found := false
	e.open('{')
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return "", nil, errors.New("webhook body is malformed JSON")
		}
		name := k.(string)
		if name == "sign" {
			v, err := dec.Token()
			s, isString := v.(string)
			if err != nil || !isString {
				return "", nil, errors.New("webhook sign is not a string")
			}
			if found {
				return "", nil, errors.New("webhook has more than one sign field")
			}
			got, found = s, true
			continue
		}
		e.key(name)
		if err := e.value(dec); err != nil {
			return "", nil, errors.New("webhook body is malformed JSON")
		}
	}
	if _, err := dec.Token(); err != nil {
		return "", nil, errors.New("webhook body is malformed JSON")
	}
	if _, err := dec.Token(); err != io.EOF {
		return "", nil, errors.New("webhook body has data after the JSON object")
	}
	if !found {
		return "", nil, errors.New("webhook has no sign field")
	}
	e.close('}')
	out := [][]byte{e.buf.Bytes()}
	if e.emptyObjects {
		out = append(out, e.alt.Bytes())
	}
	return got, out, nil
}

// phpEncoder writes JSON as PHP's json_encode($v, JSON_UNESCAPED_UNICODE)
// does, twice: buf keeps empty objects as {}, alt writes them as [] (what a
// PHP decode and re-encode makes of them).
type phpEncoder struct {
	buf, alt     bytes.Buffer
	first        []bool // per open container: no member written yet
	emptyObjects bool
}

func (e *phpEncoder) write(s string) {
	e.buf.WriteString(s)
	e.alt.WriteString(s)
}

func (e *phpEncoder) open(c byte) {
	e.buf.WriteByte(c)
	e.alt.WriteByte(c)
	e.first = append(e.first, true)
}

func (e *phpEncoder) close(c byte) {
	e.first = e.first[:len(e.first)-1]
	e.buf.WriteByte(c)
	e.alt.WriteByte(c)
}

// sep writes the comma before every member but the first.
func (e *phpEncoder) sep() {
	top := len(e.first) - 1
	if !e.first[top] {
		e.write(",")
	}
	e.first[top] = false
}

func (e *phpEncoder) key(k string) {
	e.sep()
	e.write(phpString(k))
	e.write(":")
}

// value copies one JSON value from dec.
func (e *phpEncoder) value(dec *json.Decoder) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch v := tok.(type) {
	case json.Delim:
		switch v {
		case '{':
			if !dec.More() {
				if _, err := dec.Token(); err != nil {
					return err
				}
				e.buf.WriteString("{}")
				e.alt.WriteString("[]")
				e.emptyObjects = true
				return nil
			}
			e.open('{')
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return err
				}
				e.key(k.(string))
				if err := e.value(dec); err != nil {
					return err
				}
			}
			if _, err := dec.Token(); err != nil {
				return err
			}
			e.close('}')
		case '[':
			e.open('[')
			for dec.More() {
				e.sep()
				if err := e.value(dec); err != nil {
					return err
				}
			}
			if _, err := dec.Token(); err != nil {
				return err
			}
			e.close(']')
		default:
			return errors.New("unexpected delimiter")
		}
	case string:
		e.write(phpString(v))
	case json.Number:
		e.write(v.String())
	case bool:
		if v {
			e.write("true")
		} else {
			e.write("false")
		}
	case nil:
		e.write("null")
	}
	return nil
}

// phpString quotes s as json_encode with JSON_UNESCAPED_UNICODE does: raw
// UTF-8, "/" as "\/", the short escapes PHP knows, other control
// characters as \u00XX in lowercase hex, and U+2028 and U+2029 escaped
// (PHP escapes them unless JSON_UNESCAPED_LINE_TERMINATORS is given).
func phpString(s string) string {
	const hexDigits = "0123456789abcdef"
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '/':
			b.WriteString(`\/`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\u2028':
			b.WriteString(`\u2028`)
		case '\u2029':
			b.WriteString(`\u2029`)
		default:
			if r < 0x20 {
				b.WriteString(`\u00`)
				b.WriteByte(hexDigits[r>>4])
				b.WriteByte(hexDigits[r&0xf])
				continue
			}
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
