package console

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"

	"github.com/restrictkit/restrict"
)

// Role is what a token may do.
type Role string

// The two roles.
const (
	RoleViewer   Role = "viewer"
	RoleOperator Role = "operator"
)

// Token is one who may sign in.
type Token struct {
	Name   string
	Role   Role
	Secret restrict.Secret
}

// minTokenLen is the shortest token accepted: 32 characters of a random
// alphabet are far beyond guessing online, and shorter ones are typed
// passwords, which this console does not want.
const minTokenLen = 32

// maxTokensFile bounds a tokens file: a file of this size is not a list
// of tokens.
const maxTokensFile = 1 << 20

// ParseTokens reads tokens as RESTRICT_CONSOLE_TOKENS or a tokens file
// gives them: name:role:token entries, separated by commas or by lines,
// with blank lines and lines starting with # ignored. source names where
// the text came from in errors; an error names the entry (or the line)
// and never the token, nor anything else of the entry, since a misordered
// entry puts the token where a name or role should be.
func ParseTokens(text, source string) ([]Token, error) {
	lines := strings.Split(text, "\n")
	var (
		set    tokenSet
		errs   []error
		number int
	)
	for i, line := range lines {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		for _, entry := range strings.Split(line, ",") {
			if entry = strings.TrimSpace(entry); entry == "" {
				continue
			}
			number++
			where := fmt.Sprintf("entry %d", number)
			if len(lines) > 1 {
				where = fmt.Sprintf("line %d", i+1)
				if strings.Contains(line, ",") {
					where += fmt.Sprintf(" (entry %d)", number)
				}
			}
			tok, err := parseToken(entry)
			if err == nil {
				err = set.add(tok, where)
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %s: %w", source, where, err))
			}
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return set.tokens, nil
}

// tokenSet gathers tokens, refusing a second use of a name or a token.
type tokenSet struct {
	tokens []Token
	// names and sums say where each name and token came first.
	names map[string]string
	sums  map[[sha256.Size]byte]string
}

// add checks tok, found at where, and adds it.
func (ts *tokenSet) add(tok Token, where string) error {
	if err := checkToken(tok); err != nil {
		return err
	}
	if ts.names == nil {
		ts.names, ts.sums = map[string]string{}, map[[sha256.Size]byte]string{}
	}
	if first, ok := ts.names[tok.Name]; ok {
		return fmt.Errorf("the same name as %s: each token needs its own name, the one the audit report shows", first)
	}
	sum := sha256.Sum256([]byte(tok.Secret))
	if first, ok := ts.sums[sum]; ok {
		return fmt.Errorf("the same token as %s: each name needs its own token", first)
	}
	ts.names[tok.Name], ts.sums[sum] = where, where
	ts.tokens = append(ts.tokens, tok)
	return nil
}

// parseToken reads one name:role:token entry. The token is everything
// after the second colon, so it may hold colons itself.
func parseToken(entry string) (Token, error) {
	parts := strings.SplitN(entry, ":", 3)
	if len(parts) != 3 {
		return Token{}, errors.New("want name:role:token")
	}
	return Token{Name: parts[0], Role: Role(parts[1]), Secret: restrict.Secret(parts[2])}, nil
}

// checkToken applies the rules every token obeys, wherever it came from.
func checkToken(tok Token) error {
	switch {
	case tok.Name == "":
		return errors.New("the name is empty")
	case !validName(tok.Name):
		return errors.New("the name may hold only letters, digits and . _ @ -")
	case tok.Role != RoleViewer && tok.Role != RoleOperator:
		return errors.New("the role is neither viewer nor operator")
	case len(tok.Secret) < minTokenLen:
		return fmt.Errorf("the token is shorter than %d characters (make one with: openssl rand -hex 32)", minTokenLen)
	}
	return nil
}

// validName says whether name is made of [A-Za-z0-9._@-] only: names
// reach logs, pages and the database, so they stay plain.
func validName(name string) bool {
	for _, c := range name {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '.', c == '_', c == '@', c == '-':
		default:
			return false
		}
	}
	return true
}

// ReadTokensFile reads a tokens file (--tokens-file), refusing one that
// its group or others may read or write, as ssh refuses such a key: the
// tokens in it can freeze customers.
func ReadTokensFile(path string) ([]Token, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("tokens file: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("tokens file: %w", err)
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("tokens file %s: not a regular file", path)
	}
	if runtime.GOOS != "windows" && info.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("tokens file %s: its group or others may read it (mode %04o): chmod 600 %s", path, info.Mode().Perm(), path)
	}
	if info.Size() > maxTokensFile {
		return nil, fmt.Errorf("tokens file %s: larger than %d bytes", path, maxTokensFile)
	}
	b := make([]byte, info.Size())
	if _, err := f.ReadAt(b, 0); err != nil && info.Size() > 0 {
		return nil, fmt.Errorf("tokens file %s: %w", path, err)
	}
	return ParseTokens(string(b), path)
}

// tokenEntry is a configured token as the server keeps it: only its
// SHA-256, so that comparing is constant-time whatever the lengths.
type tokenEntry struct {
	name string
	role Role
	sum  [sha256.Size]byte
}

// newTokenEntries checks tokens (a Config built in code gets no weaker
// rules than the command's environment) and keeps their hashes.
func newTokenEntries(tokens []Token) ([]tokenEntry, error) {
	var (
		set  tokenSet
		errs []error
	)
	for i, t := range tokens {
		if err := set.add(t, fmt.Sprintf("entry %d", i+1)); err != nil {
			errs = append(errs, fmt.Errorf("console: Config.Tokens entry %d: %w", i+1, err))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	out := make([]tokenEntry, len(tokens))
	for i, t := range tokens {
		out[i] = tokenEntry{name: t.Name, role: t.Role, sum: sha256.Sum256([]byte(t.Secret))}
	}
	return out, nil
}

// matchToken finds the entry of secret, comparing against every entry
// without an early exit, so the time taken says nothing about which
// entry, or how much of one, matched.
func matchToken(entries []tokenEntry, secret string) *tokenEntry {
	if secret == "" {
		return nil
	}
	sum := sha256.Sum256([]byte(secret))
	var found *tokenEntry
	for i := range entries {
		if subtle.ConstantTimeCompare(sum[:], entries[i].sum[:]) == 1 {
			found = &entries[i]
		}
	}
	return found
}
