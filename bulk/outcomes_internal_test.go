package bulk

import (
	"context"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
)

// Reading outcomes a page ahead neither loses, repeats nor reorders a row
// at the pages' edges, and a caller that stops early leaves no read
// behind.
func TestOutcomesReadAhead(t *testing.T) {
	ctx := context.Background()
	e, err := Open(ctx, "file:"+filepath.Join(t.TempDir(), "o.db"), Config{})
	require.NoError(t, err)
	defer e.Close()
	var subjects []Subject
	for _, k := range []string{"a", "b", "c", "d", "e"} {
		subjects = append(subjects, Subject{Key: k, IDs: map[string]string{"p": k + "1", "q": k + "2"}})
	}
	_, err = e.Submit(ctx, Run{Name: "r", Op: restrict.OpRestrict}, Subjects(subjects...))
	require.NoError(t, err)

	for _, page := range []int{1, 3, 10, 100} {
		var got []string
		for o, err := range e.read.outcomes(ctx, Filter{Run: "r"}, page) {
			require.NoError(t, err)
			require.Equal(t, "r", o.Run)
			got = append(got, o.Subject+"/"+o.Provider)
		}
		require.Equal(t, []string{"a/p", "a/q", "b/p", "b/q", "c/p", "c/q", "d/p", "d/q", "e/p", "e/q"}, got, "page %d", page)
	}

	before := runtime.NumGoroutine()
	for range 20 {
		for _, err := range e.read.outcomes(ctx, Filter{Run: "r"}, 2) {
			require.NoError(t, err)
			break
		}
	}
	// Polled here, not through require.Eventually, whose own goroutine
	// would count.
	for deadline := time.Now().Add(5 * time.Second); runtime.NumGoroutine() > before; time.Sleep(time.Millisecond) {
		require.True(t, time.Now().Before(deadline), "a read ahead outlived its caller: %d goroutines, %d before", runtime.NumGoroutine(), before)
	}
}
