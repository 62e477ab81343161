package bulk

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/testkit"
)

// releaseLost gives back exactly the jobs a client's lost fetches left
// running: fetched by that client long enough ago, and not being worked.
// Another client's job, a job being worked and a job fetched a moment ago
// are left alone.
func TestReleaseLostGivesBackOnlyLostFetches(t *testing.T) {
	url, schema := testkit.PostgresSchema(t, "bulk_lost_")
	ctx := context.Background()
	e, err := Open(ctx, url, Config{Schema: schema})
	require.NoError(t, err)
	defer e.Close()
	var subjects []Subject
	for _, k := range []string{"lost", "other", "working", "recent", "waiting"} {
		subjects = append(subjects, Subject{Key: k, IDs: map[string]string{"p": k}})
	}
	_, err = e.Submit(ctx, Run{Name: "r", Op: restrict.OpRestrict}, Subjects(subjects...))
	require.NoError(t, err)
	st := e.st.(*postgresStore)
	ids := map[string]int64{}
	rows, err := st.pool.Query(ctx, `SELECT id, args->>'subject' FROM `+schema+`.river_job`)
	require.NoError(t, err)
	for rows.Next() {
		var id int64
		var k string
		require.NoError(t, rows.Scan(&id, &k))
		ids[k] = id
	}
	require.NoError(t, rows.Err())
	fetched := func(key, client string, ago time.Duration) {
		_, err := st.pool.Exec(ctx, `UPDATE `+schema+`.river_job SET state = 'running', attempt = 1,
			attempted_by = ARRAY['before', $1], attempted_at = now() - make_interval(secs => $2) WHERE id = $3`,
			client, ago.Seconds(), ids[key])
		require.NoError(t, err)
	}
	fetched("lost", "me", time.Minute)
	fetched("other", "someone else", time.Minute)
	fetched("working", "me", time.Minute)
	fetched("recent", "me", time.Second)

	var n int64
	require.NoError(t, st.inTx(ctx, func(tx execer) error {
		n, err = st.releaseLost(ctx, tx, "me", []int64{ids["working"]}, lostFetchAfter)
		return err
	}))
	require.EqualValues(t, 1, n)
	want := map[string]string{"lost": "available 0", "other": "running 1", "working": "running 1", "recent": "running 1", "waiting": "available 0"}
	for k, id := range ids {
		var state string
		var attempt int
		require.NoError(t, st.pool.QueryRow(ctx, `SELECT state::text, attempt FROM `+schema+`.river_job WHERE id = $1`, id).Scan(&state, &attempt))
		require.Equal(t, want[k], fmt.Sprintf("%s %d", state, attempt), k)
	}
}
