package bulk

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"log/slog"
	"math"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/riverqueue/river"
	_ "modernc.org/sqlite" // the "sqlite" database/sql driver, pure Go

	"github.com/restrictkit/restrict"
)

// Config tunes an Engine. Its zero value is ready to use; every field has
// the default its comment gives.
type Config struct {
	// Schema is the Postgres schema holding River's tables and the
	// journal; it is created if missing. Empty means the connection's
	// search_path (normally "public"). Not used with SQLite.
	Schema string

	// Logger receives River's and the engine's logs. Silent by default.
	Logger *slog.Logger

	// MaxAttempts is how many times a job is worked while its provider is
	// unavailable (ErrUnavailable, a timeout); the last failure is
	// journaled. Default 5.
	MaxAttempts int
	// RetryPolicy spaces the attempts of an unavailable provider's jobs.
	// Nil means River's default (attempt⁴ seconds, jittered: about 1 s,
	// 16 s, 81 s and 4 min between five attempts, so a provider's outage
	// of several minutes is ridden out).
	RetryPolicy river.ClientRetryPolicy
	// MaxSnoozes is how many times a job is put off because its provider
	// answered ErrRateLimited before that is journaled as its failure.
	// Default 50.
	MaxSnoozes int
	// MinBackoff and MaxBackoff bound the wait before a job is snoozed
	// again after ErrRateLimited without a RetryAfter (doubling from
	// MinBackoff, jittered), or after its outcome could not be journaled.
	// Defaults 1 s and 5 min.
	MinBackoff, MaxBackoff time.Duration

	// JobTimeout bounds one attempt of a job: waiting for the provider's
	// rate limit and the call with its HTTP retries. Default 1 min.
	JobTimeout time.Duration
	// RescueAfter is how long a job may stay "running" before River's
	// rescuer takes it for a crashed worker's and makes it available
	// again. It must exceed JobTimeout, so that a job that is still being
	// worked is never rescued and worked twice at once. Default JobTimeout
	// + 30 s. After a crash, jobs that were not in flight are worked again
	// as soon as a worker starts; those in flight wait for this, plus up to
	// about 15 s for the restarted process to become River's leader and
	// 30 s between rescuer runs.
	RescueAfter time.Duration

	// FetchCooldown is the shortest time between two fetches of a
	// provider's queue. Each fetch takes up to the queue's free slots, so
	// a queue works at most Limits.Concurrency jobs per FetchCooldown, and
	// each job holds its slot for the provider's latency and its wait for
	// the rate limiter: Concurrency needs at least Rate x (FetchCooldown +
	// latency), which the default Concurrency gives for a latency up to
	// 150 ms. Fewer, larger fetches cost the database less per job.
	// Default 50 ms (River's is 100 ms).
	FetchCooldown time.Duration
	// FetchPollInterval is how often a queue is polled when no insert
	// notification arrives. Default 500 ms.
	FetchPollInterval time.Duration

	// SubmitBatch is how many subjects Submit writes per transaction;
	// memory use of a submission is bounded by it. Default 500.
	SubmitBatch int
}

func (c Config) withDefaults() Config {
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 5
	}
	if c.MaxSnoozes <= 0 {
		c.MaxSnoozes = 50
	}
	if c.MinBackoff <= 0 {
		c.MinBackoff = time.Second
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = 5 * time.Minute
	}
	c.MaxBackoff = max(c.MaxBackoff, c.MinBackoff)
	if c.JobTimeout <= 0 {
		c.JobTimeout = time.Minute
	}
	if c.RescueAfter <= c.JobTimeout {
		c.RescueAfter = c.JobTimeout + 30*time.Second
	}
	if c.FetchCooldown <= 0 {
		c.FetchCooldown = 50 * time.Millisecond
	}
	if c.FetchPollInterval <= 0 {
		c.FetchPollInterval = 500 * time.Millisecond
	}
	c.FetchPollInterval = max(c.FetchPollInterval, c.FetchCooldown)
	if c.SubmitBatch <= 0 {
		c.SubmitBatch = 500
	}
	return c
}

// Limits are a provider's limits in this process.
type Limits struct {
	// Concurrency is how many jobs of the provider run at once in this
	// process (its River queue's MaxWorkers): calls in flight, and calls
	// waiting for the rate limiter. The default is enough to reach Rate
	// against a provider answering within 150 ms: Rate x
	// (Config.FetchCooldown + 150 ms), rounded up, at least 4 and at most
	// 256 (20 for a Rate of 100/s with the default cooldown, 60 for
	// 300/s); 4 without a Rate.
	Concurrency int
	// Rate is the most HTTP requests per second this process sends to the
	// provider, the SDK's retries included; 0 means no limit. A restrictor
	// that is not one of the SDK's clients (it does not wait on
	// restrict.LimiterFromContext) is held to Rate calls per second
	// instead. It is per process: N worker processes on one database send
	// up to N times Rate, so give each Rate/N of the provider's limit.
	// After an ErrRateLimited the process halves it for a while (see
	// Engine.Register).
	Rate float64
	// Burst is how many requests may go at once above Rate. Default 1.
	Burst int
}

type provider struct {
	name    string
	r       restrict.Restrictor
	limits  Limits
	limiter *limiter
}

// Engine runs bulk runs on one database. Open one per process; it is safe
// for concurrent use.
type Engine struct {
	cfg    Config
	d      dialect
	read   reader
	b      backend
	closer func()

	// life serialises Start and Stop; it is held while River stops, so
	// workers never take it.
	life    sync.Mutex
	working bool

	mu        sync.Mutex // guards providers and subs, for workers too
	providers map[string]*provider
	subs      map[chan Event]struct{}

	health health
}

// Open opens the database named by dsn, creating River's tables and the
// journal's if they are missing (idempotently, so several processes may
// open one database at once):
//
//   - "postgres://..." or "postgresql://..." URLs, and key/value strings
//     ("host=db dbname=restrict ..."), open Postgres through a pgxpool (a
//     pgx connection string; the pool holds up to 32 connections unless
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
	if isPostgresDSN(dsn) {
		pcfg, err := postgresConfig(dsn)
		if err != nil {
			return nil, err
		}
		pool, err := pgxpool.NewWithConfig(ctx, pcfg)
		if err != nil {
			return nil, fmt.Errorf("bulk: postgres: %w", err)
		}
		e, err := OpenPostgres(ctx, pool, cfg)
		if err != nil {
			pool.Close()
			return nil, err
		}
		e.closer = pool.Close
		return e, nil
	}
	if err := createSQLiteFile(dsn); err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", sqliteDSN(dsn))
	if err != nil {
		return nil, fmt.Errorf("bulk: sqlite: %w", err)
	}
	db.SetMaxOpenConns(1)
	e, err := OpenSQLite(ctx, db, cfg)
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	e.closer = func() { _ = db.Close() }
	return e, nil
}

// postgresConfig parses a Postgres dsn for a pool, with an error that
// holds no secret.
func postgresConfig(dsn string) (*pgxpool.Config, error) {
	if _, _, err := parseDSNSecrets(dsn); err != nil {
		return nil, ambiguousDSNError(dsn)
	}
	pcfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, postgresParseError(dsn, err)
	}
	if !strings.Contains(dsn, "pool_max_conns") {
		// pgxpool's default, max(4, CPUs), leaves most workers waiting
		// for a connection to journal their outcome: every job holds
		// one for its completing transaction.
		pcfg.MaxConns = 32
	}
	return pcfg, nil
}

// sqlitePath is the file a SQLite dsn names, as SQLite reads it (a file:
// URI's path is percent-decoded, its query dropped), and false for an
// in-memory or temporary database, which has no file.
func sqlitePath(dsn string) (string, bool) {
	d := strings.TrimPrefix(dsn, "sqlite:")
	d = strings.TrimPrefix(d, "file:")
	d, query, _ := strings.Cut(d, "?")
	d, _, _ = strings.Cut(d, "#")
	if rest, ok := strings.CutPrefix(d, "//"); ok {
		host, path, _ := strings.Cut(rest, "/")
		if host != "" && host != "localhost" {
			return "", false
		}
		d = "/" + path
	}
	if p, err := url.PathUnescape(d); err == nil {
		d = p
	}
	q, _ := url.ParseQuery(query)
	if d == "" || d == ":memory:" || q.Get("mode") == "memory" || q.Get("vfs") != "" {
		return "", false
	}
	return d, true
}

// createSQLiteFile creates the file of a SQLite dsn, empty and mode 0600,
// if it does not exist, so that SQLite opens it rather than create it with
// the umask's mode (0644 under the usual 022). SQLite gives a database's
// -wal and -shm files the database file's mode.
func createSQLiteFile(dsn string) error {
	path, ok := sqlitePath(dsn)
	if !ok {
		return nil
	}
	if m := sqliteMode(dsn); m == "ro" || m == "rw" {
		return nil // the caller asked SQLite not to create it
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("bulk: sqlite: creating the database: %w", err)
	}
	// The umask may have taken bits from 0600 (077 takes none, 0277 the
	// owner's write); set it exactly.
	err = f.Chmod(0o600)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("bulk: sqlite: creating the database: %w", err)
	}
	return nil
}

func sqliteMode(dsn string) string {
	_, query, _ := strings.Cut(dsn, "?")
	q, _ := url.ParseQuery(query)
	return q.Get("mode")
}

// sqliteDSN turns a path or file: URI into a modernc.org/sqlite DSN with
// the pragmas a busy queue needs: WAL, so that readers (another process
// showing progress) do not block the writer; a busy timeout, so that a
// second process waits for the lock instead of failing with SQLITE_BUSY;
// synchronous=NORMAL, which in WAL mode stays durable across a process
// crash (only a power loss can lose the last commits); and immediate
// transactions, which take the write lock at BEGIN, so two writers never
// deadlock upgrading their locks.
func sqliteDSN(dsn string) string {
	return withSQLiteParams(dsn, []struct{ name, value string }{
		{"journal_mode", "journal_mode(WAL)"},
		{"busy_timeout", "busy_timeout(10000)"},
		{"synchronous", "synchronous(NORMAL)"},
	}, "_txlock", "immediate")
}

// sqliteReadDSN is a read-only modernc.org/sqlite DSN for a reader: the
// file opened with mode=ro, which never creates it and works beside a
// writer in WAL mode, and a busy timeout.
func sqliteReadDSN(dsn string) string {
	return withSQLiteParams(dsn, []struct{ name, value string }{
		{"busy_timeout", "busy_timeout(10000)"},
	}, "mode", "ro")
}

// withSQLiteParams adds the pragmas and the parameter name=value to a
// SQLite DSN, except those the caller's DSN sets itself.
func withSQLiteParams(dsn string, pragmas []struct{ name, value string }, name, value string) string {
	dsn = strings.TrimPrefix(dsn, "sqlite:")
	if !strings.HasPrefix(dsn, "file:") {
		dsn = "file:" + dsn
	}
	v := url.Values{}
	for _, p := range pragmas {
		if !strings.Contains(dsn, p.name) {
			v.Add("_pragma", p.value)
		}
	}
	_, query, _ := strings.Cut(dsn, "?")
	if q, _ := url.ParseQuery(query); !q.Has(name) {
		v.Add(name, value)
	}
	if len(v) == 0 {
		return dsn
	}
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return dsn + sep + v.Encode()
}

// OpenSQLite runs on the caller's SQLite database, opened with the
// "sqlite" driver of modernc.org/sqlite. Give it a pool limited to one
// connection (db.SetMaxOpenConns(1)), as River's SQLite driver
// recommends, and the pragmas Open sets (WAL, a busy timeout). The
// caller keeps ownership of db.
func OpenSQLite(ctx context.Context, db *sql.DB, cfg Config) (*Engine, error) {
	e := newEngine(cfg, dialect{}, db)
	b, err := newSQLiteBackend(e, db)
	if err != nil {
		return nil, err
	}
	return e.init(ctx, b)
}

// OpenPostgres runs on the caller's Postgres pool. Several processes may
// share one database (and Config.Schema): each job is worked by one of
// them. The caller keeps ownership of pool.
func OpenPostgres(ctx context.Context, pool *pgxpool.Pool, cfg Config) (*Engine, error) {
	if cfg.Schema != "" && !nameRE.MatchString(cfg.Schema) {
		return nil, fmt.Errorf("bulk: schema %q: want lowercase letters, digits and '_'", cfg.Schema)
	}
	d := dialect{postgres: true}
	if cfg.Schema != "" {
		d.prefix = pgx.Identifier{cfg.Schema}.Sanitize() + "."
	}
	db := stdlib.OpenDBFromPool(pool)
	e := newEngine(cfg, d, db)
	b, err := newPostgresBackend(e, pool)
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	e, err = e.init(ctx, b)
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	e.closer = func() { _ = db.Close() }
	return e, nil
}

func newEngine(cfg Config, d dialect, db *sql.DB) *Engine {
	return &Engine{
		cfg:       cfg.withDefaults(),
		d:         d,
		read:      reader{d: d, db: db},
		providers: make(map[string]*provider),
		subs:      make(map[chan Event]struct{}),
	}
}

func (e *Engine) init(ctx context.Context, b backend) (*Engine, error) {
	e.b = b
	if err := b.migrate(ctx); err != nil {
		return nil, fmt.Errorf("bulk: migrate: %w", err)
	}
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
// ErrRateLimited the provider answers (halving, down to 1/16 of Rate) and
// recovers by 1/32 of Rate per success. A wait that would outlast
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
	if l.Concurrency <= 0 {
		l.Concurrency = defaultConcurrency(l.Rate, e.cfg.FetchCooldown)
	}
	if l.Burst <= 0 {
		l.Burst = 1
	}
	e.life.Lock()
	defer e.life.Unlock()
	if e.working {
		return errors.New("bulk: Register after Start")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.providers[name] = &provider{name: name, r: r, limits: l, limiter: newLimiter(l.Rate, l.Burst)}
	return nil
}

// defaultConcurrency is Limits.Concurrency's default: enough slots to keep
// rate requests a second going when each job holds its slot for a fetch
// cooldown and a latency of up to 150 ms.
func defaultConcurrency(rate float64, cooldown time.Duration) int {
	if rate <= 0 {
		return 4
	}
	n := math.Ceil(rate * (cooldown + 150*time.Millisecond).Seconds())
	return int(min(max(n, 4), 256))
}

func (e *Engine) provider(name string) *provider {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.providers[name]
}

// Queues returns a River queue configuration per registered provider, for
// a team that works bulk jobs in its own River client (see AddWorkers).
func (e *Engine) Queues() map[string]river.QueueConfig {
	e.mu.Lock()
	defer e.mu.Unlock()
	q := make(map[string]river.QueueConfig, len(e.providers))
	for name, p := range e.providers {
		q[queueName(name)] = river.QueueConfig{MaxWorkers: p.limits.Concurrency, FetchCooldown: e.cfg.FetchCooldown, FetchPollInterval: e.cfg.FetchPollInterval}
	}
	return q
}

// AddWorkers registers the bulk worker in a River client's workers, for a
// team that already runs River: with Queues in its Config, that client
// works the jobs Submit inserts, calling the restrictors registered here
// and journaling through this engine. The client must use the same
// database, driver and schema as the engine (its transaction type is the
// engine's: *sql.Tx for SQLite, pgx.Tx for Postgres), since outcomes are
// completed with river.JobCompleteTx in its transaction. Its
// RescueStuckJobsAfter should exceed the engine's JobTimeout.
func (e *Engine) AddWorkers(workers *river.Workers) error {
	return e.b.addWorker(workers)
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
	e.mu.Lock()
	queues := make(map[string]river.QueueConfig, len(e.providers))
	for name, p := range e.providers {
		queues[queueName(name)] = river.QueueConfig{MaxWorkers: p.limits.Concurrency}
	}
	e.mu.Unlock()
	if len(queues) == 0 {
		return errors.New("bulk: Start with no provider registered")
	}
	if err := e.b.start(ctx, queues); err != nil {
		return err
	}
	e.working = true
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
	err := e.b.stop(ctx)
	if err != nil && ctx.Err() != nil {
		hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), journalTimeout)
		defer cancel()
		err = e.b.stopAndCancel(hctx)
	}
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
	err := e.b.stopAndCancel(ctx)
	e.working = false
	return err
}

// Close stops working, cancelling the calls in flight (call Stop first for
// a graceful end), and releases the database if Open opened it. The engine
// cannot be used after it.
func (e *Engine) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), journalTimeout)
	defer cancel()
	err := e.StopAndCancel(ctx)
	e.b.close()
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
	return e.read.outcomes(ctx, f, 500)
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
