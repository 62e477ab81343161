package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict/bulk"
	"github.com/restrictkit/restrict/internal/testkit"
)

func TestLimitFlags(t *testing.T) {
	t.Parallel()
	got, err := limitFlags{rate: []string{"purse=50", "kpayment=2.5"}, concurrency: []string{"purse=8"}}.parse()
	require.NoError(t, err)
	require.Equal(t, map[string]bulk.Limits{"purse": {Rate: 50, Concurrency: 8}, "kpayment": {Rate: 2.5}}, got)
	for _, bad := range []limitFlags{
		{rate: []string{"purse"}},
		{rate: []string{"stripe=5"}},
		{rate: []string{"purse=0"}},
		{rate: []string{"purse=-1"}},
		{rate: []string{"purse=fast"}},
		{concurrency: []string{"purse=1.5"}},
	} {
		_, err := bad.parse()
		var ue usageError
		require.ErrorAs(t, err, &ue, "%+v", bad)
	}
}

func TestShellQuote(t *testing.T) {
	t.Parallel()
	require.Equal(t, "http://127.0.0.1:8080/purse", shellQuote("http://127.0.0.1:8080/purse"))
	require.Equal(t, `'it'\''s & <x>'`, shellQuote("it's & <x>"))
	require.Equal(t, "''", shellQuote(""))
}

func TestBarLineAndETA(t *testing.T) {
	t.Parallel()
	c := bulk.Counts{Provider: "purse", Total: 200, OK: 95, Failed: 3, Unsupported: 2, Pending: 100}
	line := barLine(c, 10, 100)
	require.LessOrEqual(t, len(line), 100)
	require.True(t, strings.HasPrefix(line, "purse           ["))
	require.Contains(t, line, " 100/200  3 failed  2 unsupported  10.0/s  ETA 10s")
	bar := line[strings.Index(line, "[")+1 : strings.Index(line, "]")]
	require.InDelta(t, strings.Count(bar, "#"), strings.Count(bar, "."), 1, "half done, half a bar: %q", bar)
	require.Equal(t, "done", eta(0, 0))
	require.Equal(t, "ETA -", eta(5, 0))
}

func TestRateFollowsTheLastSeconds(t *testing.T) {
	t.Parallel()
	var r rate
	at := time.Unix(0, 0)
	require.Zero(t, r.perSecond())
	for i := range 30 {
		r.add(at.Add(time.Duration(i)*time.Second), int64(i*i))
	}
	// Over the last ten seconds: (29² - 19²) / 10.
	require.InDelta(t, 48.0, r.perSecond(), 0.01)
}

func TestLineViewWritesEveryFewSeconds(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	v := &lineView{w: &out, every: 5 * time.Second, rates: map[string]*rate{}}
	p := &bulk.Progress{Providers: []bulk.Counts{{Provider: "purse", Total: 10, OK: 2, Failed: 1, Pending: 7}}, All: bulk.Counts{Total: 10, OK: 2, Failed: 1, Pending: 7}}
	at := time.Unix(100, 0)
	for i := range 11 {
		v.update(p, nil, at.Add(time.Duration(i)*time.Second))
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Len(t, lines, 3, "at 0, 5 and 10 s")
	require.Equal(t, "progress: purse 3/10 (1 failed); all 3/10, 0.0/s, ETA -", lines[0])
}

// A dotenv file that "restrict fakes" is still writing is waited for; the
// environment wins over it; a file that never comes is an error.
func TestEnvFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "fakes.env")
	go func() {
		time.Sleep(200 * time.Millisecond)
		_ = os.WriteFile(path, []byte("# from restrict fakes\nexport RESTRICT_PURSE_KEY='from-file'\nRESTRICT_PURSE_ACCOUNT=0x1\n"), 0o600)
	}()
	var stderr bytes.Buffer
	a := &app{getenv: func(k string) string {
		if k == "RESTRICT_PURSE_ACCOUNT" {
			return "0xenv"
		}
		return ""
	}, stderr: &stderr}
	vals, err := a.readEnvFile(context.Background(), path)
	require.NoError(t, err)
	a.dotenv = vals
	require.Equal(t, "from-file", a.env("RESTRICT_PURSE_KEY"))
	require.Equal(t, "0xenv", a.env("RESTRICT_PURSE_ACCOUNT"), "the environment wins")
	require.Contains(t, stderr.String(), "waiting for")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = a.readEnvFile(ctx, filepath.Join(dir, "never.env"))
	require.Error(t, err)

	bad := filepath.Join(dir, "bad.env")
	require.NoError(t, os.WriteFile(bad, []byte("RESTRICT_PURSE_SECRET='unterminated\n"), 0o600))
	_, err = a.readEnvFile(context.Background(), bad)
	require.ErrorContains(t, err, "not a dotenv file")
	require.NotContains(t, err.Error(), "unterminated")
}

// The terminal display redraws its bars in place, shows the operator's
// notes under them, and clears a note's line once it is gone.
func TestTTYViewRedrawsInPlaceWithNotes(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	a := &app{io: streams{errTTY: true, width: 80}, stderr: &out}
	v := a.progressView(false)
	p := &bulk.Progress{Providers: []bulk.Counts{{Provider: "purse", Total: 10, OK: 4, Pending: 6}}, All: bulk.Counts{Total: 10, OK: 4, Pending: 6}}
	at := time.Unix(100, 0)
	v.update(p, nil, at)
	v.update(p, []string{"the database is unavailable since 10:00:00 (\x1b[31mEOF)"}, at.Add(time.Second))
	p.Providers[0].OK, p.Providers[0].Pending, p.All.OK, p.All.Pending = 10, 0, 10, 0
	v.update(p, nil, at.Add(2*time.Second))
	raw := out.String()
	require.Contains(t, raw, "\x1b[2A", "the second drawing went back over the first")
	require.Contains(t, raw, "\x1b[3A", "the third went back over the bars and the note")
	require.NotContains(t, raw, "\x1b[31m", "the note's own escape codes are not sent")
	screen := strings.Join(testkit.Screen(raw), "\n")
	require.Contains(t, screen, "purse           [")
	require.Contains(t, screen, " 10/10 ")
	require.NotContains(t, screen, "database is unavailable", "the note's line was cleared")
}
