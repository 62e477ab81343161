package bulk_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict/bulk"
	"github.com/restrictkit/restrict/restricttest"
)

// BenchmarkEngineVsRiver measures what the engine costs beside River
// itself, in one run on one database: first River alone works N trivial
// jobs (a worker that returns nil), then the engine works N jobs against
// in-memory restrictors, with the same queues (one per provider), the same
// MaxWorkers and the engine's default FetchCooldown and FetchPollInterval.
// ratio is the engine's jobs/s over River's; the target is at least 0.5.
//
//	BULK_BENCH_SUBJECTS=2000 go test -run '^$' -bench BenchmarkEngineVsRiver -benchtime 1x -count 3 ./bulk/
//
// N is BULK_BENCH_SUBJECTS (default 2,000) x 5 providers.
func BenchmarkEngineVsRiver(b *testing.B) {
	n := benchSubjects(2_000)
	concurrency := benchEnv("BULK_BENCH_CONCURRENCY", 50)
	benchDatabases(b, func(b *testing.B, db string) {
		for i := 0; b.Loop(); i++ {
			cfg := benchConfig()
			var dsn string
			switch db {
			case "sqlite":
				dsn = filepath.Join(b.TempDir(), "bench.db")
			case "postgres":
				dsn, cfg.Schema = testSchema(b)
			}
			// Open migrates River's tables and the journal's; River alone
			// then runs on them.
			e, err := bulk.Open(context.Background(), dsn, cfg)
			require.NoError(b, err)
			b.Cleanup(func() { _ = e.Close() })

			riverRate := riverAlone(b, db, dsn, cfg, n*len(benchProviders), concurrency)

			for _, p := range benchProviders {
				require.NoError(b, e.Register(p, &restricttest.Fake{Provider: p}, bulk.Limits{Concurrency: concurrency}))
			}
			_, work := workRun(b, e, fmt.Sprintf("bench-%d", i), n, benchProviders, func(p string, i int) string {
				return fmt.Sprintf("%s-%07d", p, i)
			})
			engineRate := float64(n*len(benchProviders)) / work.Seconds()
			b.ReportMetric(riverRate, "river-jobs/s")
			b.ReportMetric(engineRate, "engine-jobs/s")
			b.ReportMetric(engineRate/riverRate, "ratio")
		}
	})
}

// trivialArgs is River alone's job: nothing to do.
type trivialArgs struct {
	Provider string `json:"provider"`
	I        int    `json:"i"`
}

func (trivialArgs) Kind() string { return "bench_trivial" }

type trivialWorker struct {
	river.WorkerDefaults[trivialArgs]
	done chan struct{}
}

func (w *trivialWorker) Work(context.Context, *river.Job[trivialArgs]) error {
	w.done <- struct{}{}
	return nil
}

// riverAlone inserts jobs trivial jobs spread over one queue per provider,
// works them with a River client of its own on the engine's database and
// returns jobs/s from Start to the last job's Work; then it deletes them,
// so that the engine's run finds the table as it was.
func riverAlone(b *testing.B, db, dsn string, cfg bulk.Config, jobs, concurrency int) float64 {
	ctx := context.Background()
	w := &trivialWorker{done: make(chan struct{}, jobs)}
	workers := river.NewWorkers()
	river.AddWorker(workers, w)
	queues := make(map[string]river.QueueConfig)
	for _, p := range benchProviders {
		queues["bench_"+p] = river.QueueConfig{MaxWorkers: concurrency}
	}
	rcfg := &river.Config{
		Schema:            cfg.Schema,
		Workers:           workers,
		Queues:            queues,
		FetchCooldown:     max(cfg.FetchCooldown, 50*time.Millisecond),
		FetchPollInterval: 500 * time.Millisecond,
	}
	params := make([]river.InsertManyParams, 0, jobs)
	for i := range jobs {
		p := benchProviders[i%len(benchProviders)]
		params = append(params, river.InsertManyParams{Args: trivialArgs{Provider: p, I: i}, InsertOpts: &river.InsertOpts{Queue: "bench_" + p}})
	}
	var (
		start, stop func() error
		insert      func([]river.InsertManyParams) error
		cleanup     func() error
	)
	switch db {
	case "sqlite":
		sdb, err := sql.Open("sqlite", "file:"+dsn+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)&_txlock=immediate")
		require.NoError(b, err)
		defer sdb.Close()
		sdb.SetMaxOpenConns(1)
		c, err := river.NewClient(riversqlite.New(sdb), rcfg)
		require.NoError(b, err)
		start, stop = func() error { return c.Start(ctx) }, func() error { return c.Stop(ctx) }
		insert = func(p []river.InsertManyParams) error { _, err := c.InsertMany(ctx, p); return err }
		cleanup = func() error {
			_, err := sdb.ExecContext(ctx, `DELETE FROM river_job WHERE kind = 'bench_trivial'`)
			return err
		}
	case "postgres":
		pool, err := pgxpool.New(ctx, dsn)
		require.NoError(b, err)
		defer pool.Close()
		c, err := river.NewClient(riverpgxv5.New(pool), rcfg)
		require.NoError(b, err)
		start, stop = func() error { return c.Start(ctx) }, func() error { return c.Stop(ctx) }
		insert = func(p []river.InsertManyParams) error { _, err := c.InsertMany(ctx, p); return err }
		cleanup = func() error {
			_, err := pool.Exec(ctx, fmt.Sprintf(`DELETE FROM %q.river_job WHERE kind = 'bench_trivial'`, cfg.Schema))
			return err
		}
	}
	for i := 0; i < len(params); i += 1000 {
		require.NoError(b, insert(params[i:min(i+1000, len(params))]))
	}
	t0 := time.Now()
	require.NoError(b, start())
	for range jobs {
		<-w.done
	}
	elapsed := time.Since(t0)
	require.NoError(b, stop())
	require.NoError(b, cleanup())
	return float64(jobs) / elapsed.Seconds()
}
