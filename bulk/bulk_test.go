package bulk_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/bulk"
	"github.com/restrictkit/restrict/restricttest"
)

// fastConfig keeps retries and rescues in milliseconds, as tests must.
func fastConfig() bulk.Config {
	return bulk.Config{
		MinBackoff:        time.Millisecond,
		MaxBackoff:        20 * time.Millisecond,
		JobTimeout:        5 * time.Second,
		FetchCooldown:     time.Millisecond,
		FetchPollInterval: 50 * time.Millisecond,
	}
}

func openSQLite(t *testing.T, cfg bulk.Config) *bulk.Engine {
	t.Helper()
	e, err := bulk.Open(context.Background(), filepath.Join(t.TempDir(), "bulk.db"), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = e.Close() })
	return e
}

func subjects(n int, providers ...string) []bulk.Subject {
	out := make([]bulk.Subject, n)
	for i := range out {
		ids := make(map[string]string, len(providers))
		for _, p := range providers {
			ids[p] = fmt.Sprintf("%s-%04d", p, i)
		}
		out[i] = bulk.Subject{Key: fmt.Sprintf("c%04d", i), IDs: ids}
	}
	return out
}

func TestSmokeSQLite(t *testing.T) {
	ctx := context.Background()
	e := openSQLite(t, fastConfig())
	a, b := &restricttest.Fake{Provider: "a"}, &restricttest.Fake{Provider: "b"}
	require.NoError(t, e.Register("a", a, bulk.Limits{Concurrency: 4}))
	require.NoError(t, e.Register("b", b, bulk.Limits{Concurrency: 4}))
	b.FailWith("b-0003", &restrict.APIError{Provider: "b", Class: restrict.ErrNotFound, StatusCode: 404, Code: "404", Message: "no such customer"})

	run := bulk.Run{Name: "r1", Action: bulk.ActionRestrict, Reason: "test"}
	sub, err := e.Submit(ctx, run, bulk.Subjects(subjects(10, "a", "b")...))
	require.NoError(t, err)
	require.Equal(t, int64(20), sub.Jobs)
	require.NoError(t, e.Start(ctx))
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	p, err := e.Wait(wctx, "r1")
	require.NoError(t, err)
	require.Equal(t, int64(19), p.All.OK)
	require.Equal(t, int64(1), p.All.Failed)
	for o, err := range e.Outcomes(ctx, bulk.Filter{Run: "r1", Result: bulk.ResultFailed}) {
		require.NoError(t, err)
		t.Logf("%+v %+v", o, o.Error)
	}
	again, err := e.Submit(ctx, run, bulk.Subjects(subjects(10, "a", "b")...))
	require.NoError(t, err)
	require.Equal(t, int64(0), again.Jobs)
	ri, err := e.Run(ctx, "r1")
	require.NoError(t, err)
	t.Logf("%+v", ri)
	require.NoError(t, e.Stop(ctx))
}
