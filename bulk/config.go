package bulk

import (
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"time"

	"github.com/riverqueue/river"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
)

// Config tunes an Engine. Its zero value is ready to use; every field has
// the default its comment gives.
type Config struct {
	// Schema is the Postgres schema holding River's tables and the
	// journal; it is created if missing. Empty means the connection's
	// search_path (normally "public"). Not used with SQLite.
	Schema string

	// SkipMigrations leaves the database's migrations to the caller, for
	// a team that runs its own (on its own pool or *sql.DB, where River
	// is already migrated by its tooling): opening migrates nothing, and
	// instead checks that River's schema is at RiverSchemaVersion and the
	// journal's tables are there, failing with an error matching
	// ErrNotMigrated that names what is missing. Run MigratePostgres or
	// MigrateSQLite (River's migrations and the journal's, idempotent)
	// from the caller's migration step. Default false: opening migrates.
	SkipMigrations bool

	// Logger receives River's and the engine's logs. Silent by default.
	Logger *slog.Logger

	// MaxAttempts is how many times a job is worked while its provider is
	// unavailable (ErrUnavailable, a timeout); the last failure is
	// journaled. Default 5.
	MaxAttempts int
	// RetryPolicy spaces the attempts of an unavailable provider's jobs,
	// in the engine's River client and, through the bulk worker's
	// NextRetry, in a client of the caller's own (AddWorkers). Nil means
	// the working client's policy: River's default in the engine's own
	// (attempt⁴ seconds, jittered: about 1 s, 16 s, 81 s and 4 min between
	// five attempts, so a provider's outage of several minutes is ridden
	// out).
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
	// about 15 s for the restarted process to become River's leader (the
	// rescuer runs there) and 30 s between rescuer runs.
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

	// MeterProvider receives the engine's metrics (restrict.bulk.jobs,
	// restrict.bulk.rate_limit.wait, restrict.bulk.queue.depth) and
	// River's (river.work_count, ...). Nil means the global one
	// (otel.GetMeterProvider), which records nothing until the program
	// installs one.
	MeterProvider metric.MeterProvider
	// TracerProvider receives River's span of each job attempt
	// ("river.work"), in which the SDK's spans of the provider's calls
	// nest. Nil means the global one.
	TracerProvider trace.TracerProvider
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

// Limits are a provider's limits as this process asks for them. The
// database's Limit, once it holds one for the provider, is the one in
// force (see Limit).
type Limits struct {
	// Concurrency is how many jobs of the provider run at once in this
	// process (its River queue's MaxWorkers): calls in flight, and calls
	// waiting for the rate limiter. The default is enough to reach Rate
	// against a provider answering within 150 ms: Rate x
	// (Config.FetchCooldown + 150 ms), rounded up, at least 4 and at most
	// 256 (20 for a Rate of 100/s with the default cooldown, 60 for
	// 300/s); 4 without a Rate.
	Concurrency int
	// Rate is the most HTTP requests per second the provider is sent, the
	// SDK's retries included; 0 means no limit. A restrictor that is not
	// one of the SDK's clients (it does not wait on
	// restrict.LimiterFromContext) is held to Rate calls per second
	// instead. Start writes it into the database as the provider's Limit
	// if the database holds none; otherwise the database's rate is in
	// force. On Postgres it holds for all worker processes together, not
	// for each: give every worker the provider's whole limit. After an
	// ErrRateLimited the rate is halved for a while (see Engine.Register).
	Rate float64
	// Burst is how many requests may go at once above Rate. Default 1.
	Burst int
}

// withDefaults is l with the defaults its fields' comments give, for an
// engine of cfg (which has its own defaults already).
func (l Limits) withDefaults(cfg Config) Limits {
	if l.Concurrency <= 0 {
		l.Concurrency = defaultConcurrency(l.Rate, cfg.FetchCooldown)
	}
	if l.Burst <= 0 {
		l.Burst = 1
	}
	return l
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

// backoff is the wait before snooze n (1 for the first): exponential from
// Config.MinBackoff, capped at Config.MaxBackoff, with full jitter on the
// upper half so that a provider's failed jobs do not all come back at once.
func (c *Config) backoff(n int) time.Duration {
	d := c.MinBackoff
	for i := 1; i < n && d < c.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, c.MaxBackoff)
	return d/2 + rand.N(d/2+1)
}

// crashMargin is how many crashed attempts a job can take on top of
// Config.MaxAttempts before River would discard it unjournaled.
const crashMargin = 100

// journalTimeout bounds a journal write that runs after the job's context
// ended.
const journalTimeout = 10 * time.Second
