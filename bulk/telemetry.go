package bulk

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river/rivertype"
	"github.com/riverqueue/rivercontrib/otelriver"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// meterName is the instrumentation scope of the engine's own metrics.
const meterName = "github.com/restrictkit/restrict/bulk"

// The engine's own metrics. Their attributes are the provider's name and
// the result, never a run's name, a subject key or a customer ID: those
// would make a series per customer, and a metric backend is no place for
// them (the journal is).
const (
	metricJobs       = "restrict.bulk.jobs"
	metricLimitWait  = "restrict.bulk.rate_limit.wait"
	metricQueueDepth = "restrict.bulk.queue.depth"
)

// depthTimeout bounds the queue depth query of one collection, so that a
// slow or absent database delays a scrape by no more than this.
const depthTimeout = 2 * time.Second

// telemetry is an engine's instruments, created once per engine on
// Config.MeterProvider (the global one by default). A nil *telemetry
// records nothing.
type telemetry struct {
	jobs metric.Int64Counter
	wait metric.Float64Histogram
	reg  metric.Registration
}

// newTelemetry creates e's instruments; the queue depth gauge reads e's
// database on each collection.
func newTelemetry(e *Engine) (*telemetry, error) {
	mp := e.cfg.MeterProvider
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	m := mp.Meter(meterName)
	t := &telemetry{}
	var err error
	if t.jobs, err = m.Int64Counter(metricJobs, metric.WithUnit("{job}"),
		metric.WithDescription("Jobs that reached a final outcome in this process, by provider and result")); err != nil {
		return nil, fmt.Errorf("bulk: metric %s: %w", metricJobs, err)
	}
	if t.wait, err = m.Float64Histogram(metricLimitWait, metric.WithUnit("s"),
		metric.WithDescription("Time a job waited for its provider's rate limiter before its call"),
		// In seconds, from no wait to a JobTimeout's worth: the SDK's
		// default buckets are for milliseconds.
		metric.WithExplicitBucketBoundaries(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)); err != nil {
		return nil, fmt.Errorf("bulk: metric %s: %w", metricLimitWait, err)
	}
	depth, err := m.Int64ObservableGauge(metricQueueDepth, metric.WithUnit("{job}"),
		metric.WithDescription("Jobs waiting in a provider's queue (available, retryable or scheduled), across every process of the database"))
	if err != nil {
		return nil, fmt.Errorf("bulk: metric %s: %w", metricQueueDepth, err)
	}
	t.reg, err = m.RegisterCallback(func(ctx context.Context, o metric.Observer) error {
		counts, err := e.queueDepth(ctx)
		if err != nil {
			// A database that does not answer now leaves the gauge out of
			// this collection; the rest of the scrape goes on.
			e.cfg.Logger.DebugContext(ctx, "bulk: queue depth not read", slog.String("error", err.Error()))
			return nil
		}
		for provider, n := range counts {
			o.ObserveInt64(depth, n, metric.WithAttributes(attribute.String("provider", provider)))
		}
		return nil
	}, depth)
	if err != nil {
		return nil, fmt.Errorf("bulk: metric %s: %w", metricQueueDepth, err)
	}
	return t, nil
}

// outcome counts a job's final outcome.
func (t *telemetry) outcome(ctx context.Context, provider string, result OutcomeResult) {
	if t == nil {
		return
	}
	t.jobs.Add(ctx, 1, metric.WithAttributes(attribute.String("provider", provider), attribute.String("result", string(result))))
}

// waited records how long a job of provider waited for its rate limiter.
func (t *telemetry) waited(ctx context.Context, provider string, d time.Duration) {
	if t == nil {
		return
	}
	t.wait.Record(ctx, d.Seconds(), metric.WithAttributes(attribute.String("provider", provider)))
}

// close stops the queue depth gauge's reads of the database.
func (t *telemetry) close() {
	if t != nil && t.reg != nil {
		_ = t.reg.Unregister()
	}
}

// queueDepth counts the jobs waiting in each registered provider's queue,
// in one grouped query; a provider whose queue is empty counts 0.
func (e *Engine) queueDepth(ctx context.Context) (map[string]int64, error) {
	providers := e.providers.all()
	if len(providers) == 0 {
		return nil, nil
	}
	ctx, cancel := context.WithTimeout(ctx, depthTimeout)
	defer cancel()
	rows, err := e.read.db.QueryContext(ctx, e.st.bind(`SELECT queue, count(*) FROM {p}river_job
		WHERE kind = ? AND state IN ('available', 'retryable', 'scheduled') GROUP BY queue`), JobKind)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	byQueue := map[string]int64{}
	for rows.Next() {
		var q string
		var n int64
		if err := rows.Scan(&q, &n); err != nil {
			return nil, err
		}
		byQueue[q] = n
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make(map[string]int64, len(providers))
	for _, p := range providers {
		out[p.name] = byQueue[queueName(p.name)]
	}
	return out, nil
}

// middleware is River's own OpenTelemetry middleware on the engine's
// providers: a span per job attempt ("river.work") and River's job
// metrics ("river.work_count", ...), by queue, kind and status. Its span
// attributes are River's job ID, attempt, queue and timestamps; the job's
// arguments (the subject and the customer's ID) are not among them.
func (c Config) middleware() rivertype.Middleware {
	return otelriver.NewMiddleware(&otelriver.MiddlewareConfig{
		MeterProvider:  c.MeterProvider,
		TracerProvider: c.TracerProvider,
	})
}
