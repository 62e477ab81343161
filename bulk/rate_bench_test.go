package bulk_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/bulk"
	"github.com/restrictkit/restrict/purse"
	"github.com/restrictkit/restrict/purse/pursetest"
	"github.com/restrictkit/restrict/restricttest"
)

// BenchmarkRateReached asks whether a Rate is delivered with the default
// concurrency: one purse client against its fake answering after 20 ms,
// for 5 s worth of jobs at 100 and 300 requests/s, once with
// Limits.Concurrency left to its default (derived from Rate) and once
// with the old fixed default of 4, side by side in one process.
// rate-ratio is the delivered rate (jobs over the span from the first
// outcome to the last) over Rate.
//
//	go test -run '^$' -bench 'BenchmarkRateReached' -benchtime 1x ./bulk/
func BenchmarkRateReached(b *testing.B) {
	for _, rate := range []int{100, 300} {
		for _, c := range []struct {
			name        string
			concurrency int
		}{{"default", 0}, {"fixed4", 4}} {
			b.Run(fmt.Sprintf("rate=%d/concurrency=%s", rate, c.name), func(b *testing.B) {
				for i := 0; b.Loop(); i++ {
					creds := purse.Credentials{Account: "0x00000000000000000000000000000000000000bb", Key: "bench-purse-key", Secret: "bench-purse-secret"}
					fake := pursetest.NewServer(creds)
					b.Cleanup(fake.Close)
					fake.Inject(restricttest.Fault{Delay: 20 * time.Millisecond})
					client, err := purse.New(creds, restrict.WithBaseURL(fake.BaseURL()))
					require.NoError(b, err)
					n := rate * 5
					ids := make([]string, n)
					for j := range ids {
						ids[j] = fake.AddCustomer(purse.Customer{Email: fmt.Sprintf("c%d@example.com", j), ExternalID: fmt.Sprintf("ext-%d", j)}).ID
					}
					e := benchOpen(b, "sqlite", benchConfig())
					require.NoError(b, e.Register(purse.Provider, client, bulk.Limits{Rate: float64(rate), Concurrency: c.concurrency}))
					span := workSpan(b, e, fmt.Sprintf("rate-%d", i), n, func(_ string, j int) string { return ids[j] })
					delivered := float64(n-1) / span.Seconds()
					b.ReportMetric(delivered, "requests/s")
					b.ReportMetric(delivered/float64(rate), "rate-ratio")
				}
			})
		}
	}
}

// workSpan works a run of one provider (purse) and returns the time from
// its first outcome to its last.
func workSpan(b *testing.B, e *bulk.Engine, run string, n int, id func(string, int) string) time.Duration {
	span := outcomeSpan(e, n+100)
	workRun(b, e, run, n, []string{purse.Provider}, id)
	first, last := span()
	return last.Sub(first)
}

// outcomeSpan follows the outcomes the engine journals from now on; the
// function it returns stops following and says when the first and the
// last were journaled.
func outcomeSpan(e *bulk.Engine, buffer int) func() (first, last time.Time) {
	events, stop := e.Subscribe(buffer)
	var first, last time.Time
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range events {
			if ev.Kind == bulk.EventOutcome {
				if first.IsZero() {
					first = time.Now()
				}
				last = time.Now()
			}
		}
	}()
	return func() (time.Time, time.Time) {
		stop()
		<-done
		return first, last
	}
}
