package restrict

import (
	"fmt"
	"io"
	"log/slog"
)

const redacted = "[REDACTED]"

// Secret is a credential: an API key, secret, password or token. It prints
// as [REDACTED] under every fmt verb (%v, %+v, %#v, %s, %q, %x), in slog
// and in JSON, so a Credentials struct can be logged or printed whole without
// leaking it. An empty Secret prints as "" so a missing one stays visible.
// Convert it with string(s) where the raw value is really needed.
type Secret string

func (s Secret) mask() string {
	if s == "" {
		return `""`
	}
	return redacted
}

// String returns [REDACTED].
func (s Secret) String() string { return s.mask() }

// GoString returns [REDACTED].
func (s Secret) GoString() string { return s.mask() }

// Format writes [REDACTED] whatever the verb.
func (s Secret) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, s.mask()) }

// LogValue keeps the secret out of slog output.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.mask()) }

// MarshalJSON keeps the secret out of JSON output.
func (s Secret) MarshalJSON() ([]byte, error) {
	if s == "" {
		return []byte(`""`), nil
	}
	return []byte(`"` + redacted + `"`), nil
}
