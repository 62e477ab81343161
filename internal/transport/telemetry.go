package transport

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/trace"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/config"
)

// ScopeName is the instrumentation scope of every span and metric the SDK
// makes.
const ScopeName = "github.com/restrictkit/restrict"

// The instruments' names and units. The command's Prometheus endpoint and
// its docs rely on them: restrict_provider_requests_total and
// restrict_provider_request_duration_seconds.
const (
	RequestsMetric = "restrict.provider.requests"
	DurationMetric = "restrict.provider.request.duration"
)

// telemetry is one client's tracer and instruments, made once in New. With
// no provider given they come from the otel globals, which delegate to a
// provider installed later; until then they are no-ops, and a call pays
// for a span that records nothing and two Enabled checks.
type telemetry struct {
	provider string
	host     string
	tracer   trace.Tracer
	global   bool // tracer is the otel global's: see start
	requests metric.Int64Counter
	duration metric.Float64Histogram

	// Span names and measurement attributes, worked out once per
	// operation (and class), so that a call with telemetry off allocates
	// nothing for them.
	mu    sync.RWMutex
	names map[string]string
	sets  map[measureKey]measureOpts
}

type measureKey struct{ operation, class string }

type measureOpts struct {
	add    []metric.AddOption
	record []metric.RecordOption
}

// unsetTracerProvider is otel's global provider as it is before any
// program installs one: it delegates to the provider installed later,
// and otel.GetTracerProvider returns it until then.
var unsetTracerProvider = otel.GetTracerProvider()

// spanKind is passed to every Start as it is: a fresh slice per call would
// cost an allocation.
var spanKind = []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindClient)}

func newTelemetry(provider, host string, s config.Settings) *telemetry {
	tp, mp := s.TracerProvider, s.MeterProvider
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	t := &telemetry{
		provider: provider,
		host:     host,
		tracer:   tp.Tracer(ScopeName, trace.WithInstrumentationVersion(restrict.Version)),
		global:   s.TracerProvider == nil,
		names:    map[string]string{},
		sets:     map[measureKey]measureOpts{},
	}
	meter := mp.Meter(ScopeName, metric.WithInstrumentationVersion(restrict.Version))
	// An instrument the meter provider cannot make is its problem, not the
	// client's: reported to otel's error handler, as the API asks, and
	// replaced by a no-op, so that New never fails for telemetry.
	var err error
	if t.requests, err = meter.Int64Counter(RequestsMetric, metric.WithUnit("{request}"),
		metric.WithDescription("Native provider calls, each counted once whatever its retries.")); err != nil || t.requests == nil {
		otel.Handle(err)
		t.requests = noop.Int64Counter{}
	}
	if t.duration, err = meter.Float64Histogram(DurationMetric, metric.WithUnit("s"),
		metric.WithDescription("Duration of a native provider call, its retries and waits included.")); err != nil || t.duration == nil {
		otel.Handle(err)
		t.duration = noop.Float64Histogram{}
	}
	return t
}

// spanName is "<provider> <operation>": "purse BlockCustomer".
func (t *telemetry) spanName(operation string) string {
	t.mu.RLock()
	name, ok := t.names[operation]
	t.mu.RUnlock()
	if ok {
		return name
	}
	name = t.provider + " " + operation
	t.mu.Lock()
	t.names[operation] = name
	t.mu.Unlock()
	return name
}

// measure returns the attributes of a call's measurements.
func (t *telemetry) measure(operation, class string) measureOpts {
	k := measureKey{operation, class}
	t.mu.RLock()
	m, ok := t.sets[k]
	t.mu.RUnlock()
	if ok {
		return m
	}
	o := metric.WithAttributeSet(attribute.NewSet(
		attribute.String("provider", t.provider),
		attribute.String("operation", operation),
		attribute.String("class", class)))
	m = measureOpts{add: []metric.AddOption{o}, record: []metric.RecordOption{o}}
	t.mu.Lock()
	t.sets[k] = m
	t.mu.Unlock()
	return m
}

// start opens the span of one native call; nil when no program installed
// a tracer provider. Its attributes name the provider, the operation, the
// method and the host: never a path, a query, a header or a body, which
// may carry an ID or a credential.
func (t *telemetry) start(ctx context.Context, op *Operation) (context.Context, trace.Span) {
	if t.global && otel.GetTracerProvider() == unsetTracerProvider {
		// The global's own span would record nothing, and cost three
		// allocations a call (docs/PERFORMANCE.md). A provider installed
		// later is found here on the next call.
		return ctx, nil
	}
	ctx, span := t.tracer.Start(ctx, t.spanName(op.Name), spanKind...)
	if span.IsRecording() {
		span.SetAttributes(
			attribute.String("restrict.provider", t.provider),
			attribute.String("restrict.operation", op.Name),
			attribute.String("http.request.method", op.Method),
			attribute.String("server.address", t.host))
	}
	return ctx, span
}

// end closes the span and records the call's measurements. The error's
// class is all that is said of it: its message may quote the provider's
// answer.
func (t *telemetry) end(ctx context.Context, span trace.Span, op *Operation, meta restrict.Meta, err error, elapsed time.Duration) {
	class := restrict.TelemetryClass(err)
	if span != nil && span.IsRecording() {
		status, attempts := meta.StatusCode, meta.Attempts
		var ae *restrict.APIError
		if errors.As(err, &ae) {
			// An error before any answer leaves Meta empty; its own
			// facts are then the call's.
			if status == 0 {
				status = ae.StatusCode
			}
			if attempts == 0 {
				attempts = ae.Attempts
			}
		}
		span.SetAttributes(attribute.Int("restrict.attempts", attempts))
		if status != 0 {
			span.SetAttributes(attribute.Int("http.response.status_code", status))
		}
		if err != nil {
			span.SetAttributes(attribute.String("error.type", class))
			span.SetStatus(codes.Error, class)
		}
	}
	if span != nil {
		span.End()
	}
	if t.requests.Enabled(ctx) || t.duration.Enabled(ctx) {
		m := t.measure(op.Name, class)
		t.requests.Add(ctx, 1, m.add...)
		t.duration.Record(ctx, elapsed.Seconds(), m.record...)
	}
}

// retryCause is why an attempt is retried, kept from CheckRetry until the
// retry is prepared (after the wait), where the span's event is added.
type retryCause struct {
	status  int
	class   string
	decided time.Time
}

// noteRetry keeps the cause of a retry for its span event; nothing when
// the span records nothing.
func (cl *call) noteRetry(resp *http.Response, err error) {
	if !trace.SpanFromContext(cl.ctx).IsRecording() {
		return
	}
	cl.retry = retryCause{class: restrict.ClassName(restrict.ErrUnavailable), decided: time.Now()}
	if resp != nil {
		cl.retry.status = resp.StatusCode
		if err == nil {
			// Retried for its status; an answer lost mid-read is
			// unavailable, whatever its status said.
			cl.retry.class = restrict.ClassName(ClassForStatus(resp.StatusCode))
		}
	}
}

// retryEvent adds the span's "retry" event as a retry is sent: the number
// of the attempt about to go, the status (when an answer came) and class
// that caused it, and the wait before it, in seconds.
func (cl *call) retryEvent() {
	span := trace.SpanFromContext(cl.ctx)
	if !span.IsRecording() || cl.retry.decided.IsZero() {
		return
	}
	attrs := []attribute.KeyValue{
		attribute.Int("restrict.attempt", cl.attempts+1),
		attribute.String("error.type", cl.retry.class),
		attribute.Float64("restrict.retry.wait", time.Since(cl.retry.decided).Seconds()),
	}
	if cl.retry.status != 0 {
		attrs = append(attrs, attribute.Int("http.response.status_code", cl.retry.status))
	}
	span.AddEvent("retry", trace.WithAttributes(attrs...))
	cl.retry = retryCause{}
}
