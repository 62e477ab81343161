package bulk_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/bulk"
	"github.com/restrictkit/restrict/internal/testkit"
	"github.com/restrictkit/restrict/restricttest"
)

func TestTelemetry(t *testing.T) {
	// fastConfig on an in-memory recorder of the subtest's own.
	config := func(t *testing.T) (bulk.Config, *testkit.Telemetry) {
		tm := testkit.NewTelemetry(t)
		cfg := fastConfig()
		cfg.MeterProvider, cfg.TracerProvider = tm.MeterProvider(), tm.TracerProvider()
		return cfg, tm
	}
	t.Run("sqlite", func(t *testing.T) {
		cfg, tm := config(t)
		telemetry(t, openSQLite(t, cfg), tm)
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		cfg, tm := config(t)
		telemetry(t, openPostgres(t, cfg), tm)
	})
}

// telemetry works a run of 6 subjects at two providers, one of whose
// calls fails, and reads the engine's metrics and River's spans.
func telemetry(t *testing.T, e *bulk.Engine, tm *testkit.Telemetry) {
	ctx := context.Background()
	a, b := &restricttest.Fake{Provider: "a"}, &restricttest.Fake{Provider: "b"}
	require.NoError(t, e.Register("a", a, bulk.Limits{Concurrency: 4}))
	require.NoError(t, e.Register("b", b, bulk.Limits{Concurrency: 4}))
	b.FailWith("b-0002", &restrict.APIError{Provider: "b", Class: restrict.ErrNotFound, StatusCode: 404, Message: "no such customer"})
	_, err := e.Submit(ctx, bulk.Run{Name: "telemetry-run", Op: restrict.OpRestrict}, bulk.Subjects(subjects(6, "a", "b")...))
	require.NoError(t, err)

	// Before any worker: every job waits in its provider's queue.
	before := tm.Metrics(t)
	require.Equal(t, map[string]int64{"provider=a": 6, "provider=b": 6}, gauge(t, before, "restrict.bulk.queue.depth"))

	require.NoError(t, e.Start(ctx))
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	_, err = e.Wait(wctx, "telemetry-run")
	require.NoError(t, err)
	require.NoError(t, e.Stop(ctx))

	after := tm.Metrics(t)
	require.Equal(t, map[string]int64{"provider=a,result=ok": 6, "provider=b,result=failed": 1, "provider=b,result=ok": 5},
		sum(t, after, "restrict.bulk.jobs"))
	require.Equal(t, map[string]int64{"provider=a": 0, "provider=b": 0}, gauge(t, after, "restrict.bulk.queue.depth"))
	waits := histogramCounts(t, after, "restrict.bulk.rate_limit.wait")
	require.Equal(t, uint64(6), waits["provider=a"], "one limiter wait per attempt")
	require.Equal(t, uint64(6), waits["provider=b"])
	require.Contains(t, after, "river.work_count", "River's middleware records its job metrics")

	// River's span of each attempt is there, and no span or metric names
	// the run, a subject (c0000...) or a customer (a-0000...).
	require.GreaterOrEqual(t, len(tm.Ended("river.work")), 12)
	text := tm.Text(t)
	for _, bad := range []string{"telemetry-run", "c000", "a-000", "b-000"} {
		require.NotContains(t, text, bad)
	}
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
func dataOf[A metricdata.Aggregation](t *testing.T, ms map[string]metricdata.Metrics, name string) A {
	t.Helper()
	m, ok := ms[name]
	require.True(t, ok, name)
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

func sum(t *testing.T, ms map[string]metricdata.Metrics, name string) map[string]int64 {
	t.Helper()
	return byAttributes(dataOf[metricdata.Sum[int64]](t, ms, name).DataPoints)
}

func gauge(t *testing.T, ms map[string]metricdata.Metrics, name string) map[string]int64 {
	t.Helper()
	return byAttributes(dataOf[metricdata.Gauge[int64]](t, ms, name).DataPoints)
}

func histogramCounts(t *testing.T, ms map[string]metricdata.Metrics, name string) map[string]uint64 {
	t.Helper()
	require.Equal(t, "s", ms[name].Unit)
	out := map[string]uint64{}
	for _, dp := range dataOf[metricdata.Histogram[float64]](t, ms, name).DataPoints {
		out[key(dp.Attributes)] = dp.Count
	}
	return out
}
