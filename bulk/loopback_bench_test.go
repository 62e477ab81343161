package bulk_test

import (
	"crypto/rand"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/bulk"
	"github.com/restrictkit/restrict/internal/fleet"
)

// loopbackRate is each provider's limit in BenchmarkLoopback, requests per
// second.
const loopbackRate = 100

// fakeProviders starts the five providers' fakes on loopback, seeds each
// with n customers (wallets, accounts), and returns a client per provider
// and the seeded IDs, indexed like the subjects.
func fakeProviders(b *testing.B, n int) (map[string]restrict.Restrictor, map[string][]string) {
	b.Helper()
	clients := map[string]restrict.Restrictor{}
	ids := map[string][]string{}
	for _, p := range fleet.Providers {
		f := p.StartFake(nil)
		b.Cleanup(f.Close)
		c, err := f.Client()
		require.NoError(b, err)
		clients[p.Name] = c
		for i := range n {
			ids[p.Name] = append(ids[p.Name], f.Seed(i))
		}
	}
	return clients, ids
}

// uuid is a random version 4 UUID, for the tests that need a well-formed
// ID nobody holds.
func uuid() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// BenchmarkLoopback runs 2,000 subjects x 5 providers through the real
// clients against the five fakes over loopback, each provider limited to
// 100 requests/s and 20 jobs at once: the bound is 20 s (2,000 calls per provider at 100/s),
// and the target is at most 1.10x that. bound-ratio is the wall time of the
// work phase over the bound.
func BenchmarkLoopback(b *testing.B) {
	n := benchSubjects(2_000)
	benchDatabases(b, func(b *testing.B, db string) {
		for i := 0; b.Loop(); i++ {
			clients, ids := fakeProviders(b, n)
			e := benchOpen(b, db, benchConfig())
			for name, c := range clients {
				require.NoError(b, e.Register(name, c, bulk.Limits{Concurrency: benchEnv("BULK_BENCH_CONCURRENCY", 20), Rate: loopbackRate}))
			}
			_, work := workRun(b, e, fmt.Sprintf("loopback-%d", i), n, benchProviders, func(p string, i int) string { return ids[p][i] })
			bound := time.Duration(float64(n) / loopbackRate * float64(time.Second))
			b.ReportMetric(work.Seconds(), "work-s")
			b.ReportMetric(bound.Seconds(), "bound-s")
			b.ReportMetric(work.Seconds()/bound.Seconds(), "bound-ratio")
			b.ReportMetric(float64(n*len(benchProviders))/work.Seconds(), "jobs/s")
		}
	})
}
