package transport

import "strings"

// MaxIDLength bounds any identifier a caller passes. No provider here
// documents an ID anywhere near it; a longer one is a bug or an attack, and
// is refused before it reaches a URL or a body.
const MaxIDLength = 256

// CheckID returns what is wrong with an identifier the caller gave, or ""
// when nothing is: it must not be blank, longer than MaxIDLength bytes, or
// hold control characters. Providers name the field in the error.
func CheckID(v string) string {
	switch {
	case strings.TrimSpace(v) == "":
		return "is required"
	case len(v) > MaxIDLength:
		return "must be at most 256 bytes"
	}
	if strings.ContainsFunc(v, IsControl) {
		return "must not contain control characters"
	}
	return ""
}

// IsControl reports an ASCII control character, which no identifier or
// header value may hold.
func IsControl(r rune) bool { return r < 0x20 || r == 0x7f }

// CheckUUID is CheckID for an identifier the provider documents as a UUID.
func CheckUUID(v string) string {
	if p := CheckID(v); p != "" {
		return p
	}
	if !IsUUID(v) {
		return "must be a UUID (8-4-4-4-12 hexadecimal digits)"
	}
	return ""
}

// IsUUID reports the 8-4-4-4-12 hexadecimal form, in either case. No
// version or variant is required: providers issue what they issue.
func IsUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// CheckCredential returns what stops v from being a credential, or "":
// it must be present, without white space around it, and hold no control
// character, since credentials travel in HTTP headers (or are hashed into
// one), where CR, LF and the like cannot go and white space is trimmed.
// Every provider's Credentials are checked with it, so a bad value is
// refused by New, naming the field, instead of failing every call.
func CheckCredential(v string) string {
	switch {
	case v == "" || strings.TrimSpace(v) == "":
		return "is required"
	case strings.ContainsFunc(v, IsControl):
		return "must not contain control characters (such as CR or LF): it could not travel in an HTTP header"
	case strings.TrimSpace(v) != v:
		return "must not begin or end with white space"
	}
	return ""
}

// StripBearer returns a token without a "Bearer " prefix (in any case) and
// the white space around it: the one rule for a token a caller gives, so
// that the value of an Authorization header pasted whole works as well as
// the token alone.
func StripBearer(token string) string {
	t := strings.TrimSpace(token)
	switch {
	case strings.EqualFold(t, "Bearer"):
		// The word alone: the token itself is missing.
		return ""
	case len(t) > 7 && strings.EqualFold(t[:7], "Bearer "):
		return strings.TrimSpace(t[7:])
	}
	return t
}

// CheckPathSegment returns what stops v from being one path segment, or "":
// on top of CheckID, "/", "\", ".." and a lone "." are refused, so no value
// can reach another path, even past a server or proxy that unescapes %2F.
func CheckPathSegment(v string) string {
	switch {
	case v == ".":
		// Servers and proxies collapse "/./", so the call would reach the
		// parent path.
		return `must not be "."`
	case strings.ContainsAny(v, `/\`) || strings.Contains(v, ".."):
		return `must not contain "/", "\" or ".."`
	}
	return CheckID(v)
}
