package bulk

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
)

// completeJobs does what river.JobCompleteTx did, in one statement: a
// running job becomes completed at the given time, in the form River reads
// back; a job that is not running is left alone and not counted, so the
// group commit falls back to committing job by job.
func TestCompleteJobsCompletesOnlyRunningJobs(t *testing.T) {
	ctx := context.Background()
	e, err := Open(ctx, "file:"+filepath.Join(t.TempDir(), "c.db"), Config{})
	require.NoError(t, err)
	defer e.Close()
	_, err = e.Submit(ctx, Run{Name: "r", Op: restrict.OpRestrict}, Subjects(
		Subject{Key: "a", IDs: map[string]string{"p": "1"}}, Subject{Key: "b", IDs: map[string]string{"p": "2"}}))
	require.NoError(t, err)
	st := e.st.(*sqliteStore)
	var ids []int64
	rows, err := st.db.QueryContext(ctx, `SELECT id FROM river_job ORDER BY id`)
	require.NoError(t, err)
	for rows.Next() {
		var id int64
		require.NoError(t, rows.Scan(&id))
		ids = append(ids, id)
	}
	require.NoError(t, rows.Err())
	require.Len(t, ids, 2)
	_, err = st.db.ExecContext(ctx, `UPDATE river_job SET state = 'running', attempt = 1, attempted_at = ? WHERE id = ?`,
		time.Now().UTC().Format("2006-01-02 15:04:05.000"), ids[0])
	require.NoError(t, err)

	at := time.Date(2026, 12, 4, 10, 11, 12, 345_000_000, time.UTC)
	var n int64
	require.NoError(t, st.inTx(ctx, func(tx execer) error {
		n, err = st.completeJobs(ctx, tx, ids, at)
		return err
	}))
	require.EqualValues(t, 1, n, "only the running job")

	job, err := st.inserter.JobGet(ctx, ids[0])
	require.NoError(t, err)
	require.Equal(t, rivertype.JobStateCompleted, job.State)
	require.NotNil(t, job.FinalizedAt)
	require.True(t, job.FinalizedAt.Equal(at), "River reads the time back: %v", job.FinalizedAt)
	other, err := st.inserter.JobGet(ctx, ids[1])
	require.NoError(t, err)
	require.Equal(t, rivertype.JobStateAvailable, other.State)
}
