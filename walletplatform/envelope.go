package walletplatform

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"mime"
	"strconv"
	"strings"

	"github.com/restrictkit/restrict/internal/transport"
)

// The documentation prints every answer as XML (<response><status>…) while
// its generated curl asks for JSON, and the backend looks like a Node
// service that answers JSON. Both are read: each is turned into one JSON
// object, and the envelope is taken from that, so the two forms cannot
// drift apart.

// format is the syntax of an answer.
type format int

const (
	formatNone format = iota
	formatJSON
	formatXML
)

func (f format) String() string {
	switch f {
	case formatJSON:
		return "JSON"
	case formatXML:
		return "XML"
	}
	return "neither JSON nor XML"
}

// sniff picks the answer's syntax from its first non-space byte, since an
// envelope is always a JSON object or an XML element. The Content-Type
// cannot change that choice: a label that agrees with the body picks what
// the body shows, and one that is missing or wrong (a proxy's text/html, a
// JSON label on an XML body) is overruled by it. So it is not parsed here,
// which saves a media-type parse on every answer; parseObject names it in
// the error for a body that is neither.
func sniff(_ string, body []byte) format {
	body = trimStart(body)
	if len(body) > 0 {
		switch body[0] {
		case '{':
			return formatJSON
		case '<':
			return formatXML
		}
	}
	return formatNone
}

// trimStart drops a UTF-8 byte order mark and leading white space, which
// neither syntax needs and json.Unmarshal refuses.
func trimStart(body []byte) []byte {
	return bytes.TrimLeft(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")), " \t\r\n")
}

// parseObject reads an answer of either syntax as one JSON object, keyed by
// its top-level names. An XML answer must be a <response> element; its
// children become keys, repeated children arrays, and text strings.
// Names taken from the answer are scrubbed before they are cut short.
func parseObject(contentType string, body []byte, scrub func(string) string) (map[string]json.RawMessage, format, error) {
	body = trimStart(body)
	f := sniff(contentType, body)
	var obj map[string]json.RawMessage
	switch f {
	case formatJSON:
		// The body starts with '{', so a well-formed one is an object.
		if err := json.Unmarshal(body, &obj); err != nil {
			return nil, f, fmt.Errorf("malformed JSON: %w", err)
		}
	case formatXML:
		root, err := parseXML(body)
		if err != nil {
			return nil, f, fmt.Errorf("malformed XML: %w", err)
		}
		if root.name != "response" {
			return nil, f, fmt.Errorf("XML answer is <%s>, not <response>", clip(scrub(root.name)))
		}
		b, err := json.Marshal(root.value())
		if err != nil {
			return nil, f, fmt.Errorf("XML answer cannot be read: %w", err)
		}
		if err := json.Unmarshal(b, &obj); err != nil || obj == nil {
			return nil, f, errors.New("XML <response> holds only text")
		}
	default:
		if len(bytes.TrimSpace(body)) == 0 {
			return nil, f, errors.New("empty answer")
		}
		if json.Valid(body) {
			return nil, f, errors.New("JSON answer is not an object")
		}
		mt, _, _ := mime.ParseMediaType(contentType)
		return nil, f, fmt.Errorf("answer is neither JSON nor XML (Content-Type %q)", clip(scrub(mt)))
	}
	return obj, f, nil
}

// clip bounds a name taken from an answer before it goes into a message.
func clip(s string) string {
	const max = 40
	if len(s) > max {
		return s[:max] + "…"
	}
	return s
}

// xmlNode is one element of an XML answer.
type xmlNode struct {
	name     string
	text     []byte
	children []*xmlNode
}

// maxXMLDepth bounds nesting: an envelope is four levels deep, and an
// account a few more.
const maxXMLDepth = 32

func parseXML(body []byte) (*xmlNode, error) {
	d := xml.NewDecoder(bytes.NewReader(body))
	var root *xmlNode
	var stack []*xmlNode
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) == 0 && root != nil {
				return nil, errors.New("more than one root element")
			}
			if len(stack) == maxXMLDepth {
				return nil, fmt.Errorf("nested deeper than %d elements", maxXMLDepth)
			}
			n := &xmlNode{name: t.Name.Local}
			if len(stack) == 0 {
				root = n
			} else {
				parent := stack[len(stack)-1]
				parent.children = append(parent.children, n)
			}
			stack = append(stack, n)
		case xml.EndElement:
			// The decoder has checked that it matches the start.
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				top := stack[len(stack)-1]
				top.text = append(top.text, t...)
			}
		}
	}
	if root == nil {
		return nil, errors.New("no element")
	}
	return root, nil
}

// value renders an element as JSON data: text (trimmed) for a leaf, an
// object for an element with children, with repeated names as arrays.
func (n *xmlNode) value() any {
	if len(n.children) == 0 {
		return strings.TrimSpace(string(n.text))
	}
	m := make(map[string]any, len(n.children))
	for _, c := range n.children {
		v := c.value()
		switch prev := m[c.name].(type) {
		case nil:
			m[c.name] = v
		case []any:
			// value never returns a slice, so a slice here is one this
			// loop built for a repeated name.
			m[c.name] = append(prev, v)
		default:
			m[c.name] = []any{prev, v}
		}
	}
	return m
}

// envelope is the provider's answer: {status, statusCode, message, data,
// errors: [{message, descriptiveMessage}]}.
type envelope struct {
	Status     *bool // nil when the answer has no status
	StatusCode int
	Message    string
	// Data is the data object as JSON (an XML answer's rendered as JSON);
	// nil when empty.
	Data   json.RawMessage
	Errors []envelopeError
}

type envelopeError struct {
	Message            string `json:"message"`
	DescriptiveMessage string `json:"descriptiveMessage"`
}

// envelopeOf takes the envelope's fields from an answer leniently: the XML
// form has only text, and a NestJS error ({statusCode, message: [...],
// error}) differs in shape from the documented one, so a field of an
// unexpected type is skipped rather than failing the whole answer.
func envelopeOf(obj map[string]json.RawMessage) envelope {
	var e envelope
	if raw, ok := obj["status"]; ok {
		if b, ok := boolOf(raw); ok {
			e.Status = &b
		}
	}
	e.StatusCode, _ = intOf(obj["statusCode"])
	e.Message = strings.Join(stringsOf(obj["message"]), "; ")
	if raw := obj["data"]; !isEmptyJSON(raw) {
		e.Data = raw
	}
	e.Errors = errorsOf(obj["errors"])
	return e
}

// The readers below each start with a fast path for the value an answer
// usually holds (true, 0, a plain string, {}, []), which gives exactly what
// json.Unmarshal would, without its allocations; anything else takes the
// general path, kept in its own function so that its variables, which
// escape to the heap, cost nothing on the fast one.

// boolOf reads a JSON boolean, or a string that strconv.ParseBool accepts.
// A null reads as false, as json.Unmarshal leaves a bool.
func boolOf(raw json.RawMessage) (bool, bool) {
	switch t := bytes.TrimSpace(raw); {
	case bytes.Equal(t, []byte("true")):
		return true, true
	case bytes.Equal(t, []byte("false")):
		return false, true
	}
	return boolOfAny(raw)
}

func boolOfAny(raw json.RawMessage) (bool, bool) {
	var b bool
	var s string
	switch {
	case json.Unmarshal(raw, &b) == nil:
		return b, true
	case json.Unmarshal(raw, &s) == nil:
		if v, err := strconv.ParseBool(strings.TrimSpace(s)); err == nil {
			return v, true
		}
	}
	return false, false
}

// intOf reads a JSON number, or a string holding one, as an int. Like
// strconv.Atoi, it returns the clamped value with false on overflow.
func intOf(raw json.RawMessage) (int, bool) {
	if t := bytes.TrimSpace(raw); isJSONInt(t) {
		// A JSON integer literal is what json.Number would hold.
		i, err := strconv.Atoi(string(t))
		return i, err == nil
	}
	return intOfAny(raw)
}

// isJSONInt reports a JSON number literal without fraction or exponent:
// -?(0|[1-9][0-9]*).
func isJSONInt(t []byte) bool {
	if len(t) > 0 && t[0] == '-' {
		t = t[1:]
	}
	if len(t) == 0 || t[0] == '0' && len(t) > 1 {
		return false
	}
	for _, c := range t {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func intOfAny(raw json.RawMessage) (int, bool) {
	var n json.Number
	var s string
	switch {
	case json.Unmarshal(raw, &n) == nil:
	case json.Unmarshal(raw, &s) == nil:
		n = json.Number(strings.TrimSpace(s))
	default:
		return 0, false
	}
	i, err := strconv.Atoi(n.String())
	return i, err == nil
}

// stringsOf reads a string, or an array of strings, skipping anything else.
func stringsOf(raw json.RawMessage) []string {
	if t := bytes.TrimSpace(raw); isPlainJSONString(t) {
		// Printable ASCII without escapes decodes to itself.
		if s := strings.TrimSpace(string(t[1 : len(t)-1])); s != "" {
			return []string{s}
		}
		return nil
	}
	return stringsOfAny(raw)
}

// isPlainJSONString reports a JSON string of printable ASCII with no
// escapes.
func isPlainJSONString(t []byte) bool {
	if len(t) < 2 || t[0] != '"' || t[len(t)-1] != '"' {
		return false
	}
	for _, c := range t[1 : len(t)-1] {
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

func stringsOfAny(raw json.RawMessage) []string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if s = strings.TrimSpace(s); s != "" {
			return []string{s}
		}
		return nil
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) != nil {
		return nil
	}
	var out []string
	for _, item := range list {
		out = append(out, stringsOf(item)...)
	}
	return out
}

// errorsOf reads the errors array of a JSON answer ([{message,
// descriptiveMessage}] or [string]) and the <errors><error>… of an XML one,
// which arrives here as {"error": {…}} or {"error": [{…}, …]}.
func errorsOf(raw json.RawMessage) []envelopeError {
	if t := bytes.TrimSpace(raw); len(t) == 0 || bytes.Equal(t, []byte("[]")) {
		// Absent or empty: no errors, as the general path finds.
		return nil
	}
	return errorsOfAny(raw)
}

func errorsOfAny(raw json.RawMessage) []envelopeError {
	var wrapped struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(raw, &wrapped) == nil && wrapped.Error != nil {
		raw = wrapped.Error
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) != nil {
		list = []json.RawMessage{raw}
	}
	var out []envelopeError
	for _, item := range list {
		var obj map[string]json.RawMessage
		var e envelopeError
		if json.Unmarshal(item, &obj) == nil {
			e.Message = strings.Join(stringsOf(obj["message"]), "; ")
			e.DescriptiveMessage = strings.Join(stringsOf(obj["descriptiveMessage"]), "; ")
		} else {
			e.Message = strings.Join(stringsOf(item), "; ")
		}
		if e.Message != "" || e.DescriptiveMessage != "" {
			out = append(out, e)
		}
	}
	return out
}

// isEmptyJSON reports an absent, null, empty-string or empty-object value:
// an XML <data></data> arrives as "", and the JSON form sends {}.
func isEmptyJSON(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || bytes.Equal(t, []byte("null")) || bytes.Equal(t, []byte(`""`)) || bytes.Equal(t, []byte("{}")) {
		return true
	}
	return isEmptyObject(raw)
}

func isEmptyObject(raw json.RawMessage) bool {
	var obj map[string]json.RawMessage
	return json.Unmarshal(raw, &obj) == nil && len(obj) == 0
}

// describe is a short, secret-free account of an answer that cannot be
// read, for error messages: why, and the start of the body.
func describe(err error, res *transport.Response) string {
	msg := "unreadable answer: " + err.Error()
	if s := res.Snippet(res.Body); s != "" {
		msg += ": " + s
	}
	return msg
}
