package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func subjectsPath(t testing.TB, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "subjects.csv")
	require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
	return p
}

// Every refusal of a subjects file is a usage error (exit 2), an open
// error named by the flag.
func TestReadSubjectsRefusesWithAUsageError(t *testing.T) {
	t.Parallel()
	var ue usageError
	for _, content := range []string{"", "subject,purse\n", "subject,purse\nalice,x\n", "subject;purse\n"} {
		_, err := readSubjects(subjectsPath(t, content))
		require.ErrorAs(t, err, &ue, "%q", content)
	}
	_, err := readSubjects(filepath.Join(t.TempDir(), "missing.csv"))
	require.ErrorAs(t, err, &ue)
	require.ErrorContains(t, err, "--subjects: open ")
	_, err = readSubjects(t.TempDir())
	require.ErrorAs(t, err, &ue)
	require.ErrorContains(t, err, "--subjects: read ")

	sf, err := readSubjects(subjectsPath(t, "subject,walletplatform\nalice,acc-1\n"))
	require.NoError(t, err)
	require.Equal(t, 1, sf.Subjects)
}
