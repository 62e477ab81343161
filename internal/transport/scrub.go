package transport

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"html"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// redacted replaces every secret the scrubber finds.
const redacted = "[REDACTED]"

// minSecretLen is the shortest value scrubbed: a secret of a few
// characters would garble every message and hide nothing.
const minSecretLen = 4

// maxLearned bounds how many secrets a client learns while it runs (the
// tokens of its logins). A token older than the last few has long expired;
// keeping every one would make a client that runs for months grow.
const maxLearned = 64

// Secrets are the values a client must never let reach an error, a log
// line or a result: its credentials, set once, and what it learns while it
// runs (the tokens its logins return). Scrub removes each of them, in every
// form the SDK itself produces or a server may echo, from any text. A
// provider package builds one in New and hands it to every part of the
// client that sees a secret; it is safe for concurrent use.
type Secrets struct {
	mu      sync.RWMutex
	fixed   []string // the credentials
	learned []string // learned secrets, oldest first
	forms   []string // every form of all of them, longest first
}

// NewSecrets returns the secrets of a client with these credentials. Empty
// and very short values are skipped.
func NewSecrets(credentials ...string) *Secrets {
	s := &Secrets{fixed: credentials}
	s.forms = allForms(credentials)
	return s
}

// Learn adds a secret found while running: a token a login returned, a
// header value computed from the credentials.
func (s *Secrets) Learn(secret string) {
	if s == nil || len(secret) < minSecretLen {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, have := range s.learned {
		if have == secret {
			return
		}
	}
	s.learned = append(s.learned, secret)
	if len(s.learned) > maxLearned {
		s.learned = s.learned[1:]
	}
	s.forms = allForms(append(append([]string(nil), s.fixed...), s.learned...))
}

// Scrub returns text with every secret, and every extra value (the
// signatures of the call at hand), replaced by [REDACTED], in each of its
// forms, and anything shaped like a JWT as well, since a provider may echo
// a bearer token that is not even ours. Scrub before cutting text short:
// half a secret no longer matches.
func (s *Secrets) Scrub(text string, extra ...string) string {
	if text == "" {
		return text
	}
	return s.scrub(text, allForms(extra))
}

// scrub is Scrub with the forms of the extra values worked out already.
func (s *Secrets) scrub(text string, extraForms []string) string {
	if text == "" {
		return text
	}
	var f []string
	if s != nil {
		s.mu.RLock()
		f = s.forms
		s.mu.RUnlock()
	}
	if len(extraForms) > 0 {
		// One list, longest first, so that no secret is half replaced
		// as part of another.
		f = append(append([]string(nil), f...), extraForms...)
		sortForms(f)
	}
	for _, form := range f {
		if strings.Contains(text, form) {
			text = strings.ReplaceAll(text, form, redacted)
		}
	}
	// Known secrets first: a secret that merely starts like a JWT would be
	// cut at its first non-base64url character by the shape rule, and its
	// rest would no longer match.
	return redactJWT(text)
}

// scrubError returns err unchanged when its text holds no secret, and
// otherwise an error that says the same with the secrets removed. The
// original is dropped rather than wrapped: unwrapping it, or printing it
// with %#v, would give the secret back.
func (s *Secrets) scrubError(err error, extraForms []string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if clean := s.scrub(msg, extraForms); clean != msg {
		return errors.New(clean)
	}
	return err
}

func allForms(secrets []string) []string {
	var out []string
	for _, secret := range secrets {
		out = append(out, forms(secret)...)
	}
	sortForms(out)
	return out
}

// forms returns secret as it may be written: raw; JSON-escaped, as
// encoding/json writes it (\u0026, \u003c, \u003e, \") and as PHP does (\/);
// quoted as Go's %q does;
// HTML-escaped, with named and numeric entities; URL-encoded for a query
// and for a path, with either case of hex; and in base64, which is how an
// HTTP Basic credential travels. Longest first, so that a form holding
// another is replaced whole.
func forms(secret string) []string {
	if len(secret) < minSecretLen {
		return nil
	}
	set := map[string]bool{secret: true}
	add := func(v string) {
		if len(v) >= minSecretLen {
			set[v] = true
		}
	}
	if b, err := json.Marshal(secret); err == nil {
		j := string(b[1 : len(b)-1])
		add(j)
		add(strings.ReplaceAll(j, "/", `\/`))
		add(jsonWithoutHTMLEscapes(j))
		add(strings.ReplaceAll(jsonWithoutHTMLEscapes(j), "/", `\/`))
	}
	// Go's %q, as net/http quotes a malformed header line in its errors.
	q := strconv.Quote(secret)
	add(q[1 : len(q)-1])
	h := html.EscapeString(secret)
	add(h)
	add(strings.NewReplacer("&#34;", "&quot;", "&#39;", "&apos;").Replace(h))
	add(strings.NewReplacer("&#34;", "&quot;", "&#39;", "&#x27;").Replace(h))
	for _, u := range []string{url.QueryEscape(secret), url.PathEscape(secret)} {
		add(u)
		add(lowerHexEscapes(u))
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		add(enc.EncodeToString([]byte(secret)))
	}
	out := make([]string, 0, len(set))
	for f := range set {
		out = append(out, f)
	}
	sortForms(out)
	return out
}

// jsonWithoutHTMLEscapes undoes encoding/json's HTML escaping, which other
// encoders (and servers) do not do.
func jsonWithoutHTMLEscapes(j string) string {
	return strings.NewReplacer(`\u0026`, "&", `\u003c`, "<", `\u003e`, ">").Replace(j)
}

// lowerHexEscapes writes every %XX of an escaped string in lower case.
func lowerHexEscapes(s string) string {
	b := []byte(s)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			b[i+1] = lowerHex(b[i+1])
			b[i+2] = lowerHex(b[i+2])
			i += 2
		}
	}
	return string(b)
}

func lowerHex(c byte) byte {
	if 'A' <= c && c <= 'F' {
		return c + 'a' - 'A'
	}
	return c
}

func sortForms(f []string) {
	sort.SliceStable(f, func(i, j int) bool { return len(f[i]) > len(f[j]) })
}

// redactJWT replaces every "eyJ…" run (base64url of a JSON header) with
// [REDACTED].
func redactJWT(s string) string {
	for {
		i := strings.Index(s, "eyJ")
		if i < 0 {
			return s
		}
		j := i
		for j < len(s) && (isBase64URL(s[j]) || s[j] == '.') {
			j++
		}
		s = s[:i] + redacted + s[j:]
	}
}

func isBase64URL(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '='
}

// forms returns the forms of the secret values sent so far, working them
// out once.
func (cl *call) forms() []string {
	if cl.secretForms == nil && len(cl.secret) > 0 {
		cl.secretForms = allForms(cl.secret)
	}
	return cl.secretForms
}

// scrub removes every secret of the client and of this call from s.
func (cl *call) scrub(s string) string {
	if s == "" {
		return s
	}
	return cl.c.secrets.scrub(s, cl.forms())
}
