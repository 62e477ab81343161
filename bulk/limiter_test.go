package bulk

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"
)

func TestLimiterSlowsOnRateLimitAndRecovers(t *testing.T) {
	l := newLimiter(100, 1)
	require.Equal(t, rate.Limit(100), l.limit())
	l.slow()
	require.Equal(t, rate.Limit(50), l.limit())
	for range 10 {
		l.slow()
	}
	require.Equal(t, rate.Limit(100.0/16), l.limit(), "never below 1/16 of the rate")
	for range 100 {
		l.ok()
	}
	require.Equal(t, rate.Limit(100), l.limit(), "back to the full rate, never above")

	none := newLimiter(0, 0)
	none.slow()
	none.ok()
	require.Equal(t, rate.Inf, none.limit())
	require.NoError(t, none.wait(context.Background()))
}

func TestLimiterWaitFailsWhenTheDeadlineIsTooClose(t *testing.T) {
	l := newLimiter(1, 1)
	require.NoError(t, l.wait(context.Background())) // the burst
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	start := time.Now()
	require.Error(t, l.wait(ctx))
	require.Less(t, time.Since(start), 5*time.Millisecond, "fails at once instead of waiting out the deadline")
}

func TestBackoff(t *testing.T) {
	c := Config{MinBackoff: 100 * time.Millisecond, MaxBackoff: time.Second}.withDefaults()
	for n, max := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 3: 400 * time.Millisecond, 5: time.Second, 50: time.Second} {
		for range 20 {
			d := c.backoff(n)
			require.GreaterOrEqual(t, d, max/2)
			require.LessOrEqual(t, d, max)
		}
	}
}

func TestSQLiteDSN(t *testing.T) {
	require.Equal(t, "file:restrict.db?_pragma=journal_mode%28WAL%29&_pragma=busy_timeout%2810000%29&_pragma=synchronous%28NORMAL%29&_txlock=immediate", sqliteDSN("restrict.db"))
	require.Equal(t, "file:/tmp/x.db?mode=rwc&_pragma=journal_mode%28WAL%29&_pragma=busy_timeout%2810000%29&_pragma=synchronous%28NORMAL%29&_txlock=immediate", sqliteDSN("sqlite:file:/tmp/x.db?mode=rwc"))
	require.Equal(t, "file:x.db?_pragma=busy_timeout(60000)&_pragma=journal_mode%28WAL%29&_pragma=synchronous%28NORMAL%29&_txlock=immediate", sqliteDSN("x.db?_pragma=busy_timeout(60000)"),
		"the caller's pragmas stay")
}

func TestBind(t *testing.T) {
	require.Equal(t, `SELECT a FROM "s".t WHERE a = $1 AND b = $2`, postgresSQL{prefix: `"s".`}.bind(`SELECT a FROM {p}t WHERE a = ? AND b = ?`))
	require.Equal(t, `SELECT a FROM t WHERE a = ?`, sqliteSQL{}.bind(`SELECT a FROM {p}t WHERE a = ?`))
}

func TestCallLimiterPaysTheFirstRequestAndRefusesWhatWouldOutlastTheJob(t *testing.T) {
	l := newLimiter(1, 1)
	require.NoError(t, l.wait(context.Background())) // the worker's own wait
	c := l.forCall()
	require.NoError(t, c.Wait(context.Background()), "the first request is paid for")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	err := c.Wait(ctx)
	require.ErrorIs(t, err, errLimiterRefused, "a retry waits, and a second's wait outlasts 10 ms")
	require.Nil(t, newLimiter(0, 0).forCall(), "no limit, no limiter")
}

func TestDefaultConcurrencyReachesTheRate(t *testing.T) {
	cooldown := 50 * time.Millisecond
	require.Equal(t, 4, defaultConcurrency(0, cooldown))
	require.Equal(t, 4, defaultConcurrency(4, cooldown))
	require.Equal(t, 20, defaultConcurrency(100, cooldown))
	require.Equal(t, 60, defaultConcurrency(300, cooldown))
	require.Equal(t, 256, defaultConcurrency(10_000, cooldown))
}

// A process keeps the database's rate while it holds one, and its own
// Limits.Rate again once the database holds none (no row, or 0), with the
// share of it a slow-down left.
func TestLimiterFollowsTheDatabasesRate(t *testing.T) {
	l := newLimiter(100, 1)
	l.follow(true, 10, 1, -1)
	require.Equal(t, rate.Limit(10), l.limit())
	l.slow()
	require.Equal(t, rate.Limit(5), l.limit())
	l.follow(true, 0, 1, -1)
	require.Equal(t, rate.Limit(50), l.limit(), "its own rate, still halved")
	l.follow(false, 0, 0, -1)
	require.Equal(t, rate.Limit(50), l.limit())

	none := newLimiter(0, 0)
	none.follow(true, 20, 1, -1)
	require.Equal(t, rate.Limit(20), none.limit())
	none.follow(true, 0, 1, -1)
	require.Equal(t, rate.Inf, none.limit(), "no rate of its own: none")
	require.Nil(t, none.forCall())
}
