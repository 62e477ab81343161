package bulk_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict/bulk"
)

// CheckDSN refuses, before anything is opened, a name that can never be a
// database, and lets through what Open may open; a key/value Postgres DSN
// is Postgres's, not a SQLite path.
func TestCheckDSN(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "old.db"), nil, 0o600))
	for _, ok := range []string{
		"file:" + filepath.Join(dir, "new.db"),
		filepath.Join(dir, "old.db"),
		"file::memory:",
		"postgres://ops:hunter2@db.internal/restrict",
		"host=db.internal dbname=restrict password='hunter 2'",
	} {
		require.NoError(t, bulk.CheckDSN(ok), ok)
	}
	for dsn, want := range map[string]string{
		"file:" + dir: "is a folder",
		"file:" + filepath.Join(dir, "no", "x.db"):             "does not exist",
		"postgres://ops:hunter2@db.internal:notaport/restrict": "",
		"host=db.internal password='hunter2":                   "",
	} {
		err := bulk.CheckDSN(dsn)
		require.ErrorIs(t, err, bulk.ErrBadDSN, dsn)
		require.ErrorContains(t, err, want)
		require.NotContains(t, err.Error(), "hunter2")
	}
	_, err := bulk.Open(t.Context(), "file:"+filepath.Join(dir, "no", "x.db"), bulk.Config{})
	require.ErrorIs(t, err, bulk.ErrBadDSN, "Open applies the same rule")
	_, err = os.Stat(filepath.Join(dir, "no"))
	require.ErrorIs(t, err, os.ErrNotExist)
}
