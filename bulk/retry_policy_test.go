package bulk_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/bulk"
)

// retryAfter retries a job a fixed time after its attempt began.
type retryAfter time.Duration

func (d retryAfter) NextRetry(job *rivertype.JobRow) time.Time {
	return job.AttemptedAt.Add(time.Duration(d))
}

// A River client of the caller's own, with no retry policy of its own,
// spaces a bulk job's retries by Config.RetryPolicy: the bulk worker's
// NextRetry. River's default would retry the first failure after about a
// second, not 42 minutes.
func TestOwnRiverClientFollowsRetryPolicy(t *testing.T) {
	ctx := context.Background()
	pool, cfg := ownPostgresPool(t, fastConfig())
	schema := cfg.Schema
	const wait = 42 * time.Minute
	cfg.RetryPolicy = retryAfter(wait)
	e, err := bulk.OpenPostgres(ctx, pool, cfg)
	require.NoError(t, err)
	defer e.Close()
	purse := newScripted("purse")
	purse.on("purse-0000", apiErr(restrict.ErrUnavailable, 503, "busy"))
	require.NoError(t, e.Register("purse", purse, bulk.Limits{}))

	startOwnClient(t, riverpgxv5.New(pool), e, schema)

	_, err = e.Submit(ctx, bulk.Run{Name: "retry", Op: restrict.OpRestrict}, bulk.Subjects(subjects(1, "purse")...))
	require.NoError(t, err)
	// Once River has recorded the failed attempt, the job waits for its
	// retry.
	var state string
	var attempted, scheduled time.Time
	require.Eventually(t, func() bool {
		var failures int
		err := pool.QueryRow(ctx, `SELECT state::text, attempted_at, scheduled_at, coalesce(array_length(errors, 1), 0) FROM `+
			pgx.Identifier{schema, "river_job"}.Sanitize()+` WHERE attempted_at IS NOT NULL`).Scan(&state, &attempted, &scheduled, &failures)
		return err == nil && failures > 0
	}, 30*time.Second, time.Millisecond)
	require.Equal(t, "retryable", state)
	require.Equal(t, 1, purse.count("purse-0000"))
	// Postgres keeps microseconds.
	require.WithinDuration(t, attempted.Add(wait), scheduled, time.Millisecond)
}
