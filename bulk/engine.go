package bulk

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/restrictkit/restrict"
)

// provider is a registered restrictor, its limits and its limiter.
type provider struct {
	name    string
	r       restrict.Restrictor
	limits  Limits
	limiter *limiter
}

// registry is the registered providers by name; workers read it too.
type registry struct {
	mu sync.Mutex
	m  map[string]*provider
}

func (r *registry) set(p *provider) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m == nil {
		r.m = make(map[string]*provider)
	}
	r.m[p.name] = p
}

func (r *registry) get(name string) *provider {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.m[name]
}

func (r *registry) all() []*provider {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Collect(maps.Values(r.m))
}

// Engine runs bulk runs on one database. Open one per process; it is safe
// for concurrent use.
type Engine struct {
	cfg    Config
	st     store
	read   reader
	w      *worker
	closer func()

	// life serialises Start and Stop; it is held while River stops, so
	// workers never take it.
	life    sync.Mutex
	working bool
	client  riverClient
	// following is set while FollowLimits runs.
	following bool
	// endBackground ends what a working engine does beside River
	// (releaseLostFetches, followLimits) and waits for it.
	endBackground func()

	providers registry
	events    events
	health    health
	tel       *telemetry
}

// Open opens the database named by dsn, creating River's tables and the
// journal's if they are missing (idempotently, so several processes may
// open one database at once):
//
//   - "postgres://..." or "postgresql://..." URLs, and key/value strings
//     ("host=db dbname=restrict ..."), open Postgres through a pgxpool (a
//     pgx connection string; the pool holds up to 6 connections unless
//     pool_max_conns says otherwise);
//   - anything else is SQLite: "file:restrict.db", "sqlite:restrict.db"
//     or a plain path. The file is created if missing, readable and
//     writable by its owner only (0600, whatever the umask: it holds every
//     customer's IDs, and SQLite gives its -wal and -shm files the same
//     mode), and opened in WAL mode with a busy timeout (unless the DSN
//     sets those pragmas itself), through a single connection as River's
//     SQLite driver recommends. An existing file keeps its mode.
//
// No error of Open holds a password of dsn; print dsn itself through
// RedactDSN. Close releases what Open opened.
func Open(ctx context.Context, dsn string, cfg Config) (*Engine, error) {
	d := databaseOf(dsn)
	if err := d.check(dsn); err != nil {
		return nil, err
	}
	return d.open(ctx, dsn, cfg)
}

// ErrBadDSN is matched by the error of a DSN that names no database Open
// could ever open: a Postgres connection string that does not parse, a
// SQLite path that is a folder or lies in a folder that does not exist.
// Unlike a database that cannot be reached now, retrying cannot help.
var ErrBadDSN = errors.New("bulk: unusable database name")

// CheckDSN reports, without opening anything, whether dsn names a
// database Open could open: nil, or an error matching ErrBadDSN that names
// the file or the DSN without its password.
func CheckDSN(dsn string) error { return databaseOf(dsn).check(dsn) }

// newEngine runs on st, once it is migrated; cfg has its defaults.
func newEngine(ctx context.Context, st store, cfg Config) (*Engine, error) {
	e := &Engine{cfg: cfg, st: st, read: reader{sq: st, db: st.sqlDB()}}
	e.w = newWorker(cfg, st, &e.providers, &e.events, &e.health)
	if err := st.migrate(ctx, cfg); err != nil {
		return nil, fmt.Errorf("bulk: migrate: %w", err)
	}
	tel, err := newTelemetry(e)
	if err != nil {
		return nil, err
	}
	e.tel, e.w.tel = tel, tel
	return e, nil
}

// Register makes r the restrictor of the provider called name in this
// process, with its limits. Jobs carry only the provider's name; a worker
// process builds its clients from its own configuration and registers
// them here, so credentials never reach the database. For status runs, r
// must also be a restrict.Checker, or its jobs are journaled unsupported.
//
// The rate limiter is waited on before every HTTP request of the
// provider's calls (see Limits.Rate). It slows down on every
// ErrRateLimited the provider answers (halving, down to 1/16 of Rate; on
// Postgres for every worker, at most once a second) and recovers by 1/32
// of Rate per success. A wait that would outlast
// JobTimeout is not a provider's refusal: the job is put off without
// slowing down. Limits.Concurrency left at 0 is derived from Rate.
//
// Register before Start.
func (e *Engine) Register(name string, r restrict.Restrictor, l Limits) error {
	if err := validProvider(name); err != nil {
		return err
	}
	if r == nil {
		return fmt.Errorf("bulk: provider %q: restrictor is nil", name)
	}
	l = l.withDefaults(e.cfg)
	e.life.Lock()
	defer e.life.Unlock()
	if e.working {
		return errors.New("bulk: Register after Start")
	}
	e.providers.set(&provider{name: name, r: r, limits: l, limiter: newLimiter(l.Rate, l.Burst)})
	return nil
}

// Queues returns a River queue configuration per registered provider, for
// a team that works bulk jobs in its own River client (see AddWorkers).
func (e *Engine) Queues() map[string]river.QueueConfig {
	q := make(map[string]river.QueueConfig)
	for _, p := range e.providers.all() {
		q[queueName(p.name)] = river.QueueConfig{MaxWorkers: p.limits.Concurrency, FetchCooldown: e.cfg.FetchCooldown, FetchPollInterval: e.cfg.FetchPollInterval}
	}
	return q
}

// AddWorkers registers the bulk worker in a River client's workers, for a
// team that already runs River: with Queues in its Config, that client
// works the jobs Submit inserts, calling the restrictors registered here
// and journaling through this engine. The client must use the same
// database, driver and schema as the engine (its transaction type is the
// engine's: *sql.Tx for SQLite, pgx.Tx for Postgres), since the engine
// completes its jobs in the journal's transaction, in River's tables. Its
// RescueStuckJobsAfter should exceed the engine's JobTimeout. Run
// FollowLimits beside it, so that the database's limits, shared with every
// other worker, are in force (Start does that for the engine's own client).
//
// The engine's own metrics (see Config.MeterProvider) are recorded by the
// worker, whichever client runs it. River's spans and job metrics come
// from River's middleware, which Start adds to the client it builds; a
// client of the caller's own adds it itself:
//
//	Middleware: []rivertype.Middleware{otelriver.NewMiddleware(nil)},
//
// (github.com/riverqueue/rivercontrib/otelriver; nil config means the
// global providers).
func (e *Engine) AddWorkers(workers *river.Workers) error {
	return river.AddWorkerSafely(workers, e.w)
}

// Start works the queues of every registered provider until Stop (or ctx
// ends, which begins a graceful stop). Several processes may work one
// Postgres database; with SQLite, work in one process at a time.
func (e *Engine) Start(ctx context.Context) error {
	e.life.Lock()
	defer e.life.Unlock()
	if e.working {
		return errors.New("bulk: already started")
	}
	if e.following {
		return errors.New("bulk: Start while FollowLimits runs: the engine's own client follows the limits itself")
	}
	queues := make(map[string]river.QueueConfig)
	for _, p := range e.providers.all() {
		queues[queueName(p.name)] = river.QueueConfig{MaxWorkers: p.limits.Concurrency}
	}
	if len(queues) == 0 {
		return errors.New("bulk: Start with no provider registered")
	}
	workers := river.NewWorkers()
	if err := river.AddWorkerSafely(workers, e.w); err != nil {
		return err
	}
	cfg := e.cfg
	c, err := e.st.client(&river.Config{
		Logger:               cfg.Logger,
		Schema:               cfg.Schema,
		Workers:              workers,
		Queues:               queues,
		JobTimeout:           cfg.JobTimeout,
		RescueStuckJobsAfter: cfg.RescueAfter,
		FetchCooldown:        cfg.FetchCooldown,
		FetchPollInterval:    cfg.FetchPollInterval,
		RetryPolicy:          cfg.RetryPolicy,
		// Our own policy decides when a job has failed for good (see
		// worker.call) and journals it; River's limit sits above it so that
		// River never discards a job on its own, not even one whose last
		// attempts were cut short by crashes.
		MaxAttempts: cfg.MaxAttempts + crashMargin,
		// A span per job attempt and River's job metrics, on the
		// engine's providers.
		Middleware: []rivertype.Middleware{cfg.middleware()},
	})
	if err != nil {
		return err
	}
	// The limits are in force before the first job is fetched.
	if err := e.limitsOn(ctx, c.ID()); err != nil {
		return err
	}
	e.w.armHardStop()
	if err := c.Start(ctx); err != nil {
		return fmt.Errorf("bulk: river: %w", err)
	}
	e.client = c
	e.working = true
	bctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	if e.st.manyWorkers() {
		wg.Go(func() { e.releaseLostFetches(bctx, c.ID()) })
	}
	wg.Go(func() { e.followLimits(bctx, c.ID()) })
	e.endBackground = func() { cancel(); wg.Wait() }
	return nil
}

// Stop stops taking jobs and waits for the calls in flight to finish and be
// journaled, until ctx ends; then it cancels them (a hard stop) and waits
// for the cancellations to be recorded. A cancelled call is not counted as
// an attempt: its job is taken again by the next Start, here or in another
// process.
func (e *Engine) Stop(ctx context.Context) error {
	e.life.Lock()
	defer e.life.Unlock()
	if !e.working {
		return nil
	}
	err := e.client.Stop(ctx)
	if err != nil && ctx.Err() != nil {
		hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), journalTimeout)
		defer cancel()
		err = e.stopAndCancel(hctx)
	}
	e.endBackground()
	e.working = false
	return err
}

// StopAndCancel cancels the calls in flight at once, waits until they have
// returned, and stops. Their jobs are taken again by the next Start.
func (e *Engine) StopAndCancel(ctx context.Context) error {
	e.life.Lock()
	defer e.life.Unlock()
	if !e.working {
		return nil
	}
	err := e.stopAndCancel(ctx)
	e.endBackground()
	e.working = false
	return err
}

func (e *Engine) stopAndCancel(ctx context.Context) error {
	e.w.stopHard()
	return e.client.StopAndCancel(ctx)
}

// Close stops working, cancelling the calls in flight (call Stop first for
// a graceful end), and releases the database if Open opened it. The engine
// cannot be used after it.
func (e *Engine) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), journalTimeout)
	defer cancel()
	err := e.StopAndCancel(ctx)
	e.w.close()
	e.tel.close()
	e.st.close()
	if e.closer != nil {
		e.closer()
	}
	return err
}

// Run returns the recorded run called name, or an error matching
// ErrRunNotFound.
func (e *Engine) Run(ctx context.Context, name string) (*RunInfo, error) {
	return e.read.run(ctx, name)
}

// Runs lists every run in the database, oldest first.
func (e *Engine) Runs(ctx context.Context) ([]RunInfo, error) {
	return e.read.runs(ctx)
}

// Progress counts a run's outcomes per provider and result, from the
// database: it shows the work of every process sharing it.
func (e *Engine) Progress(ctx context.Context, run string) (*Progress, error) {
	return e.read.progress(ctx, run)
}

// Outcomes streams the journal rows f selects, ordered by subject and
// provider, reading a page at a time.
func (e *Engine) Outcomes(ctx context.Context, f Filter) iter.Seq2[Outcome, error] {
	return e.read.outcomes(ctx, f, pageRows)
}

// Wait blocks until run has been submitted in full and every job of it has
// a final outcome, whichever process works it, and returns the final
// progress. It fails at once with ErrRunNotFound for a run never
// submitted. It asks the database every 100 ms whether a pending row is
// left: a single index lookup, cheap enough not to slow the workers, where
// counting the whole run each time would.
//
// A failed read (the database restarting, a network cut) is tried again
// with a backoff of 100 ms doubling to 5 s, for as long as ctx lasts, so
// an outage is ridden out; DatabaseHealth says meanwhile since when the
// database is unavailable. When ctx ends, Wait returns the progress it can
// still read and ctx's error, joined with the last read error if the
// database was failing then.
func (e *Engine) Wait(ctx context.Context, run string) (*Progress, error) {
	var last error
	delay := minDatabaseRetry
	for {
		p, err := e.waitOnce(ctx, run)
		wait := 100 * time.Millisecond
		switch {
		case errors.Is(err, ErrRunNotFound):
			return nil, err
		case err != nil && ctx.Err() == nil:
			e.health.fail(err)
			last = err
			wait = delay
			delay = min(2*delay, maxDatabaseRetry)
		case err == nil:
			e.health.ok()
			last, delay = nil, minDatabaseRetry
			if p != nil {
				return p, nil
			}
		}
		select {
		case <-ctx.Done():
			pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
			defer cancel()
			p, _ := e.Progress(pctx, run)
			if last == nil {
				return p, ctx.Err()
			}
			return p, errors.Join(ctx.Err(), last)
		case <-time.After(wait):
		}
	}
}

// waitOnce returns the run's final progress, or nil while it is not
// finished.
func (e *Engine) waitOnce(ctx context.Context, run string) (*Progress, error) {
	ri, err := e.read.run(ctx, run)
	if err != nil {
		return nil, err
	}
	// A submission still streaming subjects in has more jobs to come.
	if ri.SubmittedAt.IsZero() {
		return nil, nil
	}
	pending, err := e.read.anyPending(ctx, run)
	if err != nil || pending {
		return nil, err
	}
	return e.Progress(ctx, run)
}
