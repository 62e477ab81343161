package bulk_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/bulk"
	"github.com/restrictkit/restrict/restricttest"
)

// A journal written before http_attempts_known existed gets the column on
// Open, once, and its rows keep saying what they said: a row with an HTTP
// attempt per job attempt is complete, one with fewer a lower bound.
func TestOpenAddsTheHTTPAttemptsKnownColumn(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	e, err := bulk.Open(ctx, path, fastConfig())
	require.NoError(t, err)
	require.NoError(t, e.Register("a", &restricttest.Fake{Provider: "a"}, bulk.Limits{}))
	_, err = e.Submit(ctx, bulk.Run{Name: "old", Op: restrict.OpRestrict}, bulk.Subjects(subjects(2, "a")...))
	require.NoError(t, err)
	require.NoError(t, e.Start(ctx))
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	_, err = e.Wait(wctx, "old")
	require.NoError(t, err)
	require.NoError(t, e.Close())

	// Make it an old journal: no column, and one row whose crashed
	// attempt was never counted.
	db, err := sql.Open("sqlite", "file:"+path)
	require.NoError(t, err)
	_, err = db.Exec(`ALTER TABLE restrict_bulk_outcome DROP COLUMN http_attempts_known`)
	require.NoError(t, err)
	_, err = db.Exec(`UPDATE restrict_bulk_outcome SET job_attempts = 2 WHERE subject = 'c0001'`)
	require.NoError(t, err)
	require.NoError(t, db.Close())

	for range 2 { // idempotent
		e, err = bulk.Open(ctx, path, fastConfig())
		require.NoError(t, err)
		got := map[string]bool{}
		for o, err := range e.Outcomes(ctx, bulk.Filter{Run: "old"}) {
			require.NoError(t, err)
			got[o.Subject] = o.HTTPAttemptsLowerBound
		}
		require.Equal(t, map[string]bool{"c0000": false, "c0001": true}, got)
		require.NoError(t, e.Close())
	}
}
