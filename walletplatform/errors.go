package walletplatform

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/transport"
)

// envelope is every answer of the platform: {status, statusCode, message,
// data, errors: [{message, descriptiveMessage}]}. Success is status true
// (with statusCode 0); on an error statusCode echoes the HTTP status.
//
// The documentation prints answers as XML (<response><status>…) while its
// generated curl asks for JSON, and the backend looks like a NestJS service
// that answers JSON. Both forms decode into this one struct: JSON with
// encoding/json, XML with encoding/xml. In XML every value is text; in JSON
// status and statusCode are read from a string ("false", "404") as from a
// boolean and a number.
type envelope struct {
	XMLName    xml.Name        `json:"-" xml:"response"`
	Status     *boolish        `json:"status" xml:"status"` // nil when the answer has none
	StatusCode intish          `json:"statusCode" xml:"statusCode"`
	Message    text            `json:"message" xml:"message"`
	Data       payload         `json:"data" xml:"data"`
	Errors     []envelopeError `json:"errors" xml:"errors>error"`
	// AccessToken and Token are where a login answer may carry its token
	// beside the envelope's fields; see loginToken.
	AccessToken scalar `json:"accessToken" xml:"accessToken"`
	Token       scalar `json:"token" xml:"token"`
}

// boolish is a boolean sent as a JSON boolean or as a string that
// strconv.ParseBool reads ("true", "false", white space around it
// allowed), as encoding/xml reads its text.
type boolish bool

// UnmarshalJSON reads a boolean or a string holding one.
func (b *boolish) UnmarshalJSON(data []byte) error {
	if len(data) > 0 && data[0] == '"' {
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		v, err := strconv.ParseBool(strings.TrimSpace(s))
		if err != nil {
			return fmt.Errorf("status %q is not a boolean", s)
		}
		*b = boolish(v)
		return nil
	}
	return json.Unmarshal(data, (*bool)(b))
}

// intish is an integer sent as a JSON number or as a string holding one
// ("404"; "" is 0, as an empty XML element is).
type intish int

// UnmarshalJSON reads a number or a string holding one.
func (n *intish) UnmarshalJSON(data []byte) error {
	if len(data) > 0 && data[0] == '"' {
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		s = strings.TrimSpace(s)
		if s == "" {
			*n = 0
			return nil
		}
		v, err := strconv.Atoi(s)
		if err != nil {
			return fmt.Errorf("statusCode %q is not an integer", s)
		}
		*n = intish(v)
		return nil
	}
	return json.Unmarshal(data, (*int)(n))
}

// envelopeError is one entry of the envelope's errors.
type envelopeError struct {
	Message            string `json:"message" xml:"message"`
	DescriptiveMessage string `json:"descriptiveMessage" xml:"descriptiveMessage"`
}

// text is a message: a JSON string, or the array of strings a NestJS
// validation error sends ({"statusCode":400,"message":["…","…"]}), joined
// with "; ".
type text string

// UnmarshalJSON reads a string or an array of strings.
func (t *text) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '[' {
		var list []string
		if err := json.Unmarshal(b, &list); err != nil {
			return err
		}
		*t = text(strings.Join(list, "; "))
		return nil
	}
	return json.Unmarshal(b, (*string)(t))
}

// scalar is a value whose type the documentation does not give (an
// account's fields, where a login puts its token): a JSON string, or a
// number kept as its literal text. Any other JSON value leaves it empty
// rather than failing the answer, since the shape is a guess.
type scalar string

// UnmarshalJSON reads a string or a number, and skips anything else.
func (s *scalar) UnmarshalJSON(b []byte) error {
	if json.Unmarshal(b, (*string)(s)) != nil {
		_ = json.Unmarshal(b, (*json.Number)(s))
	}
	return nil
}

// payload is the envelope's data as JSON: as sent in a JSON answer, and
// rendered from the elements of an XML one (see xmlNode). It is nil when
// the answer has none: data absent, null, or an empty XML element.
type payload []byte

// UnmarshalJSON keeps the data as it was sent.
func (p *payload) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*p = nil
		return nil
	}
	*p = append((*p)[:0], b...)
	return nil
}

// UnmarshalXML renders the <data> element as JSON.
func (p *payload) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	var n xmlNode
	if err := d.DecodeElement(&n, &start); err != nil {
		return err
	}
	v := n.value()
	if v == "" {
		*p = nil
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	*p = b
	return nil
}

// xmlNode is an element of an XML answer's data, which has no documented
// shape: its value is its trimmed text when it has no child elements, and
// otherwise an object of its children, a repeated name becoming an array.
type xmlNode struct {
	XMLName  xml.Name
	Text     string    `xml:",chardata"`
	Children []xmlNode `xml:",any"`
}

func (n xmlNode) value() any {
	if len(n.Children) == 0 {
		return strings.TrimSpace(n.Text)
	}
	m := make(map[string]any, len(n.Children))
	for _, c := range n.Children {
		name, v := c.XMLName.Local, c.value()
		switch prev := m[name].(type) {
		case nil:
			m[name] = v
		case []any:
			// value never returns a slice, so a slice here is one this
			// loop built for a repeated name.
			m[name] = append(prev, v)
		default:
			m[name] = []any{prev, v}
		}
	}
	return m
}

// trimStart drops a UTF-8 byte order mark and leading white space, which
// neither decoder accepts before a document.
func trimStart(body []byte) []byte {
	return bytes.TrimLeft(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")), " \t\r\n")
}

// parse decodes an answer of either form into v. The form is the body's,
// whatever its Content-Type says: an envelope is always a JSON object or
// an XML element, and a label that is missing or wrong (a proxy's
// text/html, JSON on an XML body) must not make a good answer unreadable.
func parse(body []byte, v any) error {
	body = trimStart(body)
	switch {
	case len(body) == 0:
		return errors.New("empty answer")
	case body[0] == '{':
		if err := json.Unmarshal(body, v); err != nil {
			return fmt.Errorf("malformed JSON: %w", err)
		}
	case body[0] == '<':
		if err := xml.Unmarshal(body, v); err != nil {
			return fmt.Errorf("malformed XML: %w", err)
		}
	default:
		return errors.New("answer is neither a JSON object nor XML")
	}
	return nil
}

// codeClasses maps the HTTP status, or on a refusal inside a 2xx answer
// the envelope's statusCode that echoes it, to a class. It is this
// package's one table: the documentation names 400 "Invalid account id"
// and 404 "Account id not found"; 401 and 403 are what the bearer-token
// scheme implies. SABI sends no error code of its own, so APIError.Code
// stays empty.
var codeClasses = map[int]error{
	http.StatusBadRequest:   restrict.ErrInvalidRequest,
	http.StatusUnauthorized: restrict.ErrUnauthorized,
	http.StatusForbidden:    restrict.ErrForbidden,
	http.StatusNotFound:     restrict.ErrNotFound,
}

// classFor classifies a refusal. On an HTTP error the HTTP status wins,
// since a proxy may answer for the service; on a 2xx that says status false
// the envelope's statusCode is all there is (an in-band 401 among them,
// which makes a logged-in client log in again once), and a refusal without
// one is taken as a rejected request.
func classFor(httpStatus, statusCode int) error {
	code := statusCode
	if !transport.IsSuccess(httpStatus) {
		code = httpStatus
	}
	if c, ok := codeClasses[code]; ok {
		return c
	}
	if code >= 400 {
		return transport.ClassForStatus(code)
	}
	return restrict.ErrInvalidRequest
}

// enveloped is a result filled from the whole envelope (its message and
// data), not only from its data.
type enveloped interface {
	fromEnvelope(e *envelope)
}

// decode is the wallet service's Decoder. A 2xx answer with status true
// fills out: a result that is enveloped takes the envelope, any other is
// decoded from data. Any other answer that can be read is a
// *restrict.APIError. A 2xx answer that cannot be read is returned as a
// plain error, which the transport reports as an unreadable answer
// (restrict.ErrUnavailable) with the start of the body.
func decode(res *transport.Response, out any) error {
	var env envelope
	err := parse(res.Body, &env)
	if !transport.IsSuccess(res.StatusCode) {
		if res.StatusCode == http.StatusNotFound && (err != nil || env.Status == nil) {
			// Not the platform's envelope, which always has a status: a
			// web server's 404 (NestJS's "Cannot POST /…" among them), so
			// the address is wrong, not the account.
			return res.StatusError()
		}
		if err != nil {
			return &restrict.APIError{Class: transport.ClassForStatus(res.StatusCode), Message: describe(err, res)}
		}
		return env.apiError(res.StatusCode, classFor(res.StatusCode, int(env.StatusCode)))
	}
	if err != nil {
		return err
	}
	switch {
	case env.Status == nil:
		// Success is "status": true; an answer without it is not one
		// this package knows, whatever its HTTP status.
		return errors.New("answer has no status field")
	case !bool(*env.Status):
		return env.apiError(res.StatusCode, classFor(res.StatusCode, int(env.StatusCode)))
	}
	switch o := out.(type) {
	case nil:
		return nil
	case enveloped:
		o.fromEnvelope(&env)
		return nil
	default:
		if env.Data == nil {
			return nil
		}
		return transport.Unmarshal(env.Data, out)
	}
}

// apiError is the error for a refusal: the class, and the envelope's
// messages, each once. The envelope's statusCode echoes the HTTP status,
// so it is no code of the provider's own.
func (e *envelope) apiError(httpStatus int, class error) *restrict.APIError {
	ae := &restrict.APIError{Class: class, Message: e.text()}
	if ae.Message == "" {
		if t := http.StatusText(httpStatus); t != "" && !transport.IsSuccess(httpStatus) {
			ae.Message = t
		} else {
			ae.Message = "the provider refused the request without a message"
		}
	}
	return ae
}

// text joins message and every error's message and descriptiveMessage,
// leaving out repeats: the documented errors repeat message inside errors.
func (e *envelope) text() string {
	var parts []string
	add := func(s string) {
		s = strings.TrimSpace(s)
		if s == "" {
			return
		}
		for _, p := range parts {
			if p == s {
				return
			}
		}
		parts = append(parts, s)
	}
	add(string(e.Message))
	for _, er := range e.Errors {
		add(er.Message)
		add(er.DescriptiveMessage)
	}
	return strings.Join(parts, "; ")
}

// describe is a short, secret-free account of an error answer that cannot
// be read: why, and the start of the body.
func describe(err error, res *transport.Response) string {
	msg := "unreadable answer: " + err.Error()
	if s := res.Snippet(res.Body); s != "" {
		msg += ": " + s
	}
	return msg
}
