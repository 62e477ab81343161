package bulk_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict/bulk"
)

// BenchmarkOutcomesPage reads one page of 100 outcomes of a run of
// 500,000 (100,000 subjects x 5 providers), as the console's run page and
// GET /api/v1/runs/{name}/outcomes do: the first page and the last, side
// by side, unfiltered and for one provider. Keyset paging must cost the
// same on the last page as on the first (ratio, last over first). A
// filter that matches nothing is timed too (no-match-page), the worst
// case:
//
//	go test -run '^$' -bench 'BenchmarkOutcomesPage' -benchtime 200x ./bulk/
func BenchmarkOutcomesPage(b *testing.B) {
	benchDatabases(b, func(b *testing.B, db string) {
		ctx := context.Background()
		const n, page = 100_000, 100
		dsn, schema, fill := outcomesDatabase(b, db)
		fill("run", n)
		r, err := bulk.OpenReader(ctx, dsn, bulk.Config{Schema: schema})
		require.NoError(b, err)
		defer r.Close()
		last := &bulk.OutcomeKey{Subject: fmt.Sprintf("customer-%07d", n-page/len(benchProviders)-1), Provider: "walletplatform"}
		lastOfPurse := &bulk.OutcomeKey{Subject: fmt.Sprintf("customer-%07d", n-page-1), Provider: "purse"}
		read := func(f bulk.Filter) time.Duration {
			start := time.Now()
			got, err := r.OutcomesPage(ctx, f, page)
			if err != nil {
				b.Fatal(err)
			}
			require.Len(b, got, page)
			return time.Since(start)
		}
		// A filter that matches nothing reads until the run ends: the
		// worst case of a rare filter, reported beside the others.
		none := func() time.Duration {
			start := time.Now()
			got, err := r.OutcomesPage(ctx, bulk.Filter{Run: "run", Result: bulk.ResultFailed}, page)
			if err != nil {
				b.Fatal(err)
			}
			require.Empty(b, got)
			return time.Since(start)
		}
		var first, end, firstPurse, endPurse, noMatch time.Duration
		b.ResetTimer()
		for b.Loop() {
			first += read(bulk.Filter{Run: "run"})
			end += read(bulk.Filter{Run: "run", After: last})
			firstPurse += read(bulk.Filter{Run: "run", Provider: "purse"})
			endPurse += read(bulk.Filter{Run: "run", Provider: "purse", After: lastOfPurse})
			noMatch += none()
		}
		per := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(b.N) }
		b.ReportMetric(per(first), "µs/first-page")
		b.ReportMetric(per(end), "µs/last-page")
		b.ReportMetric(per(end)/per(first), "ratio")
		b.ReportMetric(per(firstPurse), "µs/first-purse-page")
		b.ReportMetric(per(endPurse), "µs/last-purse-page")
		b.ReportMetric(per(endPurse)/per(firstPurse), "purse-ratio")
		b.ReportMetric(per(noMatch), "µs/no-match-page")
	})
}

// BenchmarkProgress reads a run of 500,000 outcomes and counts its
// progress (Run, then Progress), as each look at a run does: the cost the
// console's shared progress cache saves per viewer and second.
//
//	go test -run '^$' -bench 'BenchmarkProgress' -benchtime 10x ./bulk/
func BenchmarkProgress(b *testing.B) {
	benchDatabases(b, func(b *testing.B, db string) {
		ctx := context.Background()
		dsn, schema, fill := outcomesDatabase(b, db)
		fill("run", 100_000)
		r, err := bulk.OpenReader(ctx, dsn, bulk.Config{Schema: schema})
		require.NoError(b, err)
		defer r.Close()
		b.ResetTimer()
		for b.Loop() {
			if _, err := r.Run(ctx, "run"); err != nil {
				b.Fatal(err)
			}
			if _, err := r.Progress(ctx, "run"); err != nil {
				b.Fatal(err)
			}
		}
	})
}
