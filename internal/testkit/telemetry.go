package testkit

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/restrictkit/restrict"
)

// Telemetry records, in memory, every span and metric of the clients given
// its Options: the OpenTelemetry SDK for tests only, which no package of
// the SDK links.
type Telemetry struct {
	Spans  *tracetest.SpanRecorder
	Reader *sdkmetric.ManualReader
	tp     *sdktrace.TracerProvider
	mp     *sdkmetric.MeterProvider
}

// NewTelemetry returns a recorder that is shut down when t ends.
func NewTelemetry(t testing.TB) *Telemetry {
	tm := &Telemetry{Spans: tracetest.NewSpanRecorder(), Reader: sdkmetric.NewManualReader()}
	tm.tp = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(tm.Spans))
	tm.mp = sdkmetric.NewMeterProvider(sdkmetric.WithReader(tm.Reader))
	t.Cleanup(func() {
		_ = tm.tp.Shutdown(context.Background())
		_ = tm.mp.Shutdown(context.Background())
	})
	return tm
}

// Options are restrict.WithTracerProvider and WithMeterProvider for the
// recorder.
func (tm *Telemetry) Options() []restrict.Option {
	return []restrict.Option{restrict.WithTracerProvider(tm.tp), restrict.WithMeterProvider(tm.mp)}
}

// Ended returns the spans that ended, named name (all when name is "").
func (tm *Telemetry) Ended(name string) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range tm.Spans.Ended() {
		if name == "" || s.Name() == name {
			out = append(out, s)
		}
	}
	return out
}

// Metrics collects the metrics recorded so far, by instrument name.
func (tm *Telemetry) Metrics(t testing.TB) map[string]metricdata.Metrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, tm.Reader.Collect(context.Background(), &rm))
	out := map[string]metricdata.Metrics{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			out[m.Name] = m
		}
	}
	return out
}

// Text is everything recorded that a reader of the telemetry could see:
// span names, attributes, events and their attributes, status
// descriptions, metric names and attributes, one per line. Tests search it
// for secrets and target IDs.
func (tm *Telemetry) Text(t testing.TB) string {
	t.Helper()
	var b []byte
	kv := func(set []attribute.KeyValue) {
		for _, a := range set {
			b = fmt.Appendf(b, "%s=%s\n", a.Key, a.Value.String())
		}
	}
	for _, s := range tm.Spans.Ended() {
		b = fmt.Appendf(b, "span %s\nstatus %s\n", s.Name(), s.Status().Description)
		kv(s.Attributes())
		for _, e := range s.Events() {
			b = fmt.Appendf(b, "event %s\n", e.Name)
			kv(e.Attributes)
		}
		for _, l := range s.Links() {
			kv(l.Attributes)
		}
	}
	for name, m := range tm.Metrics(t) {
		b = fmt.Appendf(b, "metric %s\n", name)
		switch d := m.Data.(type) {
		case metricdata.Sum[int64]:
			for _, p := range d.DataPoints {
				kv(p.Attributes.ToSlice())
			}
		case metricdata.Histogram[float64]:
			for _, p := range d.DataPoints {
				kv(p.Attributes.ToSlice())
			}
		default:
			b = fmt.Appendf(b, "%+v\n", m.Data)
		}
	}
	return string(b)
}

// TracerProvider is the recorder's provider, to install as the global or
// to start a parent span.
func (tm *Telemetry) TracerProvider() *sdktrace.TracerProvider { return tm.tp }

// MeterProvider is the recorder's meter provider.
func (tm *Telemetry) MeterProvider() *sdkmetric.MeterProvider { return tm.mp }

// Attrs turns a span's or an event's attributes into a map, for
// require.Equal.
func Attrs(set []attribute.KeyValue) map[string]any {
	out := make(map[string]any, len(set))
	for _, a := range set {
		out[string(a.Key)] = a.Value.AsInterface()
	}
	return out
}
