package console

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/restrictkit/restrict"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Tokens of the parsing tests, each at least 32 characters.
const (
	tokA = "aaaaaaaa-0123456789abcdefghijklmnopqrstuv"
	tokB = "bbbbbbbb-0123456789abcdefghijklmnopqrstuv"
)

func TestParseTokens(t *testing.T) {
	got, err := ParseTokens("vera:viewer:"+tokA+", otto@example.com:operator:"+tokB, "RESTRICT_CONSOLE_TOKENS")
	require.NoError(t, err)
	assert.Equal(t, []Token{
		{Name: "vera", Role: RoleViewer, Secret: restrict.Secret(tokA)},
		{Name: "otto@example.com", Role: RoleOperator, Secret: restrict.Secret(tokB)},
	}, got)

	file := "# who may sign in\n\nvera:viewer:" + tokA + "\n  # the operator\notto_1.x-y:operator:" + tokB + ":with:colons\n\n"
	got, err = ParseTokens(file, "tokens.txt")
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, restrict.Secret(tokB+":with:colons"), got[1].Secret, "a token may hold colons")

	got, err = ParseTokens(" vera:viewer:"+tokA+" , ", "RESTRICT_CONSOLE_TOKENS")
	require.NoError(t, err, "a trailing comma is no entry")
	require.Len(t, got, 1)

	got, err = ParseTokens("", "RESTRICT_CONSOLE_TOKENS")
	require.NoError(t, err)
	assert.Empty(t, got)
}

func TestParseTokensRefusals(t *testing.T) {
	short := "short-secret-0123456789"
	for _, tc := range []struct {
		name, text, source, where, why, secret string
	}{
		{"short", "vera:viewer:" + short, "RESTRICT_CONSOLE_TOKENS", "RESTRICT_CONSOLE_TOKENS: entry 1:", "shorter than 32", short},
		{"role", "vera:viewer:" + tokA + ",otto:admin:" + tokB, "RESTRICT_CONSOLE_TOKENS", "entry 2:", "neither viewer nor operator", tokB},
		{"misordered", "vera:" + tokA + ":viewer", "RESTRICT_CONSOLE_TOKENS", "entry 1:", "neither viewer nor operator", tokA},
		{"empty name", ":viewer:" + tokA, "RESTRICT_CONSOLE_TOKENS", "entry 1:", "name is empty", tokA},
		{"name chars", "vera lynn:viewer:" + tokA, "RESTRICT_CONSOLE_TOKENS", "entry 1:", "letters, digits", tokA},
		{"name html", "<b>:viewer:" + tokA, "RESTRICT_CONSOLE_TOKENS", "entry 1:", "letters, digits", tokA},
		{"repeated name", "vera:viewer:" + tokA + ",vera:operator:" + tokB, "RESTRICT_CONSOLE_TOKENS", "entry 2:", "same name as entry 1", tokB},
		{"repeated token", "vera:viewer:" + tokA + ",otto:operator:" + tokA, "RESTRICT_CONSOLE_TOKENS", "entry 2:", "same token as entry 1", tokA},
		{"no colons", tokA, "RESTRICT_CONSOLE_TOKENS", "entry 1:", "want name:role:token", tokA},
		{"file line", "# a comment\n\nvera:viewer:" + tokA + "\notto:operator:" + short + "\n", "/etc/restrict/tokens", "/etc/restrict/tokens: line 4:", "shorter than 32", short},
	} {
		_, err := ParseTokens(tc.text, tc.source)
		require.Error(t, err, tc.name)
		assert.Contains(t, err.Error(), tc.where, tc.name)
		assert.Contains(t, err.Error(), tc.why, tc.name)
		assert.NotContains(t, err.Error(), tc.secret, tc.name)
	}
}

// TestConfigTokensChecked: tokens given to New in code obey the same
// rules as the command's.
func TestConfigTokensChecked(t *testing.T) {
	_, err := newAuthState([]Token{{Name: "vera", Role: RoleViewer, Secret: "short-secret"}}, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "shorter than 32")
	assert.NotContains(t, err.Error(), "short-secret")
	_, err = newAuthState([]Token{
		{Name: "vera", Role: RoleViewer, Secret: tokA},
		{Name: "otto", Role: RoleOperator, Secret: tokA},
	}, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "same token")
}

func TestReadTokensFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "tokens")
	require.NoError(t, os.WriteFile(path, []byte("vera:viewer:"+tokA+"\n"), 0o600))
	got, err := ReadTokensFile(path)
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, "vera", got[0].Name)

	for _, mode := range []os.FileMode{0o640, 0o604, 0o620, 0o644} {
		require.NoError(t, os.Chmod(path, mode))
		_, err := ReadTokensFile(path)
		require.Error(t, err, "mode %o", mode)
		assert.Contains(t, err.Error(), "chmod 600 "+path)
		assert.NotContains(t, err.Error(), tokA)
	}

	bad := filepath.Join(dir, "bad")
	require.NoError(t, os.WriteFile(bad, []byte("vera:viewer:"+tokA+"\nvera:viewer:"+tokB+"\n"), 0o600))
	_, err = ReadTokensFile(bad)
	require.Error(t, err)
	assert.Contains(t, err.Error(), bad+": line 2: the same name as line 1")

	_, err = ReadTokensFile(filepath.Join(dir, "missing"))
	require.Error(t, err)
}

func TestMatchToken(t *testing.T) {
	entries, err := newTokenEntries([]Token{
		{Name: "vera", Role: RoleViewer, Secret: tokA},
		{Name: "otto", Role: RoleOperator, Secret: tokB},
	})
	require.NoError(t, err)
	require.NotNil(t, matchToken(entries, tokB))
	assert.Equal(t, "otto", matchToken(entries, tokB).name)
	assert.Equal(t, "vera", matchToken(entries, tokA).name)
	for _, s := range []string{"", tokA[:31], tokA + "x", strings.ToUpper(tokA), " " + tokA} {
		assert.Nil(t, matchToken(entries, s), "%q", s)
	}
}
