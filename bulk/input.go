package bulk

import (
	"errors"
	"fmt"
	"strconv"
	"unicode"
	"unicode/utf8"
)

// MaxKeyBytes is the longest subject key Submit accepts, in bytes: keys
// are part of the journal's primary key, and Postgres refuses an index
// entry of more than about 2,700 bytes.
const MaxKeyBytes = 200

// MaxIDBytes is the longest provider ID Submit accepts, in bytes. A
// provider's own rule (its CheckTargetID) may be stricter.
const MaxIDBytes = 256

// CheckKey reports what is wrong with a subject key, or nil: a key is 1 to
// MaxKeyBytes bytes of valid UTF-8 without a control character (C0, DEL or
// C1). Such a key is stored and read back unchanged by both databases and
// in River's JSON job arguments; today's alternatives were a run that hung
// (a key changed by JSON encoding) or one refused by Postgres halfway. The
// message never repeats the offending bytes: "empty", "8000 bytes, at
// most 200", "not valid UTF-8 at byte 5", "control character U+0000 at
// byte 3" (bytes count from 1).
func CheckKey(key string) error {
	if key == "" {
		return errors.New("empty")
	}
	if len(key) > MaxKeyBytes {
		return fmt.Errorf("%d bytes, at most %d", len(key), MaxKeyBytes)
	}
	return checkText(key)
}

// CheckID reports what is wrong with a provider ID, or nil: at most
// MaxIDBytes bytes of valid UTF-8 without a control character. An empty ID
// is valid and means the subject has no ID at that provider. Messages are
// CheckKey's.
func CheckID(id string) error {
	if len(id) > MaxIDBytes {
		return fmt.Errorf("%d bytes, at most %d", len(id), MaxIDBytes)
	}
	return checkText(id)
}

// CheckReason reports what is wrong with a run's reason, or nil: valid
// UTF-8 without a control character (it is logged and sent to providers).
func CheckReason(reason string) error { return checkText(reason) }

// checkText refuses invalid UTF-8 and control characters: C0, DEL and C1
// (U+0080 to U+009F), which a terminal may take for commands.
func checkText(s string) error {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return fmt.Errorf("not valid UTF-8 at byte %d", i+1)
			}
		}
		if unicode.IsControl(r) { // C0, DEL and C1
			return fmt.Errorf("control character %U at byte %d", r, i+1)
		}
	}
	return nil
}

// SubjectError is Submit's refusal of a subject, before the batch holding
// it is stored.
type SubjectError struct {
	Run string
	// Position is the subject's place in the stream, counting from 1.
	Position int
	Key      string
	// Field is what is wrong: "key", "id" (the ID at Provider) or
	// "provider" (a provider name Engine.Register would refuse).
	Field    string
	Provider string
	Err      error
}

// Error names the run, the subject (its position and quoted key) and the
// field.
func (e *SubjectError) Error() string {
	field := e.Field
	switch e.Field {
	case "id":
		field = "ID at provider " + quoteKey(e.Provider)
	case "provider":
		field = "provider name " + quoteKey(e.Provider)
	}
	return fmt.Sprintf("bulk: run %q: subject %d (key %s): %s: %v", e.Run, e.Position, quoteKey(e.Key), field, e.Err)
}

// Unwrap returns what CheckKey, CheckID or the provider-name rule said.
func (e *SubjectError) Unwrap() error { return e.Err }

// quoteKey quotes s as Go does (control characters and invalid bytes
// escaped), cut to its first 64 bytes so an 8,000-byte key does not fill a
// screen.
func quoteKey(s string) string {
	const most = 64
	if len(s) <= most {
		return strconv.Quote(s)
	}
	cut := most
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + "..."
}
