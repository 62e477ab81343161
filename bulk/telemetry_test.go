package bulk_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/bulk"
	"github.com/restrictkit/restrict/restricttest"
)

// telemetryConfig is fastConfig on an in-memory metric reader and span
// recorder of the test's own.
func telemetryConfig() (bulk.Config, *sdkmetric.ManualReader, *tracetest.SpanRecorder) {
	reader := sdkmetric.NewManualReader()
	spans := tracetest.NewSpanRecorder()
	cfg := fastConfig()
	cfg.MeterProvider = sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	cfg.TracerProvider = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	return cfg, reader, spans
}

func TestTelemetry(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		cfg, reader, spans := telemetryConfig()
		telemetry(t, openSQLite(t, cfg), reader, spans)
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		cfg, reader, spans := telemetryConfig()
		telemetry(t, openPostgres(t, cfg), reader, spans)
	})
}

// telemetry works a run of 6 subjects at two providers, one of whose
// calls fails, and reads the engine's metrics and River's spans.
func telemetry(t *testing.T, e *bulk.Engine, reader *sdkmetric.ManualReader, spans *tracetest.SpanRecorder) {
	ctx := context.Background()
	a, b := &restricttest.Fake{Provider: "a"}, &restricttest.Fake{Provider: "b"}
	require.NoError(t, e.Register("a", a, bulk.Limits{Concurrency: 4}))
	require.NoError(t, e.Register("b", b, bulk.Limits{Concurrency: 4}))
	b.FailWith("b-0002", &restrict.APIError{Provider: "b", Class: restrict.ErrNotFound, StatusCode: 404, Message: "no such customer"})
	_, err := e.Submit(ctx, bulk.Run{Name: "telemetry-run", Op: restrict.OpRestrict}, bulk.Subjects(subjects(6, "a", "b")...))
	require.NoError(t, err)

	// Before any worker: every job waits in its provider's queue.
	before := collect(t, reader)
	require.Equal(t, map[string]int64{"provider=a": 6, "provider=b": 6}, gauge(t, before, "restrict.bulk.queue.depth"))

	require.NoError(t, e.Start(ctx))
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	_, err = e.Wait(wctx, "telemetry-run")
	require.NoError(t, err)
	require.NoError(t, e.Stop(ctx))

	after := collect(t, reader)
	require.Equal(t, map[string]int64{"provider=a,result=ok": 6, "provider=b,result=failed": 1, "provider=b,result=ok": 5},
		sum(t, after, "restrict.bulk.jobs"))
	require.Equal(t, map[string]int64{"provider=a": 0, "provider=b": 0}, gauge(t, after, "restrict.bulk.queue.depth"))
	waits := histogramCounts(t, after, "restrict.bulk.rate_limit.wait")
	require.Equal(t, uint64(6), waits["provider=a"], "one limiter wait per attempt")
	require.Equal(t, uint64(6), waits["provider=b"])
	require.NotNil(t, find(after, "river.work_count"), "River's middleware records its job metrics")

	// River's span of each attempt is there, and no attribute of a span or
	// a metric names the run, a subject or a customer.
	var work int
	for _, s := range spans.Ended() {
		if s.Name() == "river.work" {
			work++
		}
		requireAnonymous(t, s.Attributes(), "span "+s.Name())
	}
	require.GreaterOrEqual(t, work, 12)
	for _, sm := range after.ScopeMetrics {
		for _, m := range sm.Metrics {
			for _, set := range attributeSets(m.Data) {
				requireAnonymous(t, set.ToSlice(), "metric "+m.Name)
			}
		}
	}
}

// requireAnonymous fails if an attribute holds the run's name, a subject
// key (c0000...) or a customer ID (a-0000...).
func requireAnonymous(t *testing.T, attrs []attribute.KeyValue, what string) {
	t.Helper()
	for _, kv := range attrs {
		v := kv.Value.String()
		for _, bad := range []string{"telemetry-run", "c000", "a-000", "b-000"} {
			require.NotContains(t, v, bad, "%s: attribute %s", what, kv.Key)
		}
	}
}

func collect(t *testing.T, r *sdkmetric.ManualReader) metricdata.ResourceMetrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, r.Collect(context.Background(), &rm))
	return rm
}

func find(rm metricdata.ResourceMetrics, name string) *metricdata.Metrics {
	for _, sm := range rm.ScopeMetrics {
		for i := range sm.Metrics {
			if sm.Metrics[i].Name == name {
				return &sm.Metrics[i]
			}
		}
	}
	return nil
}

// key is an attribute set as "k=v,k=v", sorted by key.
func key(s attribute.Set) string {
	var parts []string
	for _, kv := range s.ToSlice() {
		parts = append(parts, string(kv.Key)+"="+kv.Value.String())
	}
	return strings.Join(parts, ",")
}

// dataOf is the data of the metric called name, of the aggregation A.
func dataOf[A metricdata.Aggregation](t *testing.T, rm metricdata.ResourceMetrics, name string) A {
	t.Helper()
	m := find(rm, name)
	require.NotNil(t, m, name)
	data, ok := m.Data.(A)
	require.True(t, ok, "%s is a %T", name, m.Data)
	return data
}

// byAttributes is the value of each data point, by its attribute set.
func byAttributes(dps []metricdata.DataPoint[int64]) map[string]int64 {
	out := map[string]int64{}
	for _, dp := range dps {
		out[key(dp.Attributes)] = dp.Value
	}
	return out
}

func sum(t *testing.T, rm metricdata.ResourceMetrics, name string) map[string]int64 {
	t.Helper()
	return byAttributes(dataOf[metricdata.Sum[int64]](t, rm, name).DataPoints)
}

func gauge(t *testing.T, rm metricdata.ResourceMetrics, name string) map[string]int64 {
	t.Helper()
	return byAttributes(dataOf[metricdata.Gauge[int64]](t, rm, name).DataPoints)
}

func histogramCounts(t *testing.T, rm metricdata.ResourceMetrics, name string) map[string]uint64 {
	t.Helper()
	require.Equal(t, "s", find(rm, name).Unit)
	data := dataOf[metricdata.Histogram[float64]](t, rm, name)
	out := map[string]uint64{}
	for _, dp := range data.DataPoints {
		out[key(dp.Attributes)] = dp.Count
	}
	return out
}

// attributeSets are the attribute sets of every data point of data.
func attributeSets(data metricdata.Aggregation) []attribute.Set {
	switch d := data.(type) {
	case metricdata.Sum[int64]:
		return setsOf(d.DataPoints, pointSet[int64])
	case metricdata.Sum[float64]:
		return setsOf(d.DataPoints, pointSet[float64])
	case metricdata.Gauge[int64]:
		return setsOf(d.DataPoints, pointSet[int64])
	case metricdata.Gauge[float64]:
		return setsOf(d.DataPoints, pointSet[float64])
	case metricdata.Histogram[int64]:
		return setsOf(d.DataPoints, histogramSet[int64])
	case metricdata.Histogram[float64]:
		return setsOf(d.DataPoints, histogramSet[float64])
	}
	return nil
}

func setsOf[P any](points []P, set func(P) attribute.Set) []attribute.Set {
	out := make([]attribute.Set, 0, len(points))
	for _, p := range points {
		out = append(out, set(p))
	}
	return out
}

func pointSet[N int64 | float64](p metricdata.DataPoint[N]) attribute.Set { return p.Attributes }

func histogramSet[N int64 | float64](p metricdata.HistogramDataPoint[N]) attribute.Set {
	return p.Attributes
}
