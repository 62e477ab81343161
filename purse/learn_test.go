package purse

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestLearnComparesWithTheOffsetUsed(t *testing.T) {
	t.Parallel()
	c, err := New(Credentials{Account: "a", Key: "k", Secret: "s"})
	require.NoError(t, err)
	require.True(t, c.learn(0, 10*time.Minute))
	require.Equal(t, 10*time.Minute, c.ClockOffset())
	// A second call, dated before the first one learned, still retries.
	require.True(t, c.learn(0, 10*time.Minute+time.Second))
	// A call already dated with the offset: the clock is not to blame.
	require.False(t, c.learn(10*time.Minute, 10*time.Minute+30*time.Second))
	require.False(t, c.learn(10*time.Minute, 9*time.Minute))
	require.Equal(t, 10*time.Minute+time.Second, c.ClockOffset())
	require.True(t, c.learn(10*time.Minute, -time.Minute-time.Second))
	require.Equal(t, -time.Minute-time.Second, c.ClockOffset())
}
