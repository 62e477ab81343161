package transport_test

import (
	"context"
	"net/http"
	"net/url"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/trace"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/testkit"
	"github.com/restrictkit/restrict/internal/transport"
)

// A call retried once is one span of kind client, with one "retry" event
// saying why, and one count and one duration, whatever its attempts.
func TestACallIsOneSpanWithItsRetriesAndOneMeasurement(t *testing.T) {
	t.Parallel()
	tm := testkit.NewTelemetry(t)
	_, srv := serve(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		status(http.StatusOK, `{}`)(n, w, r)
	})
	c := newClient(t, transport.Config{Provider: "testprov"}, append(tm.Options(), restrict.WithBaseURL(srv.URL), fast)...)
	meta, err := c.Do(context.Background(), op(true), nil)
	require.NoError(t, err)
	require.Equal(t, 2, meta.Attempts)

	spans := tm.Ended("")
	require.Len(t, spans, 1)
	s := spans[0]
	require.Equal(t, "testprov BlockThing", s.Name())
	require.Equal(t, trace.SpanKindClient, s.SpanKind())
	require.Equal(t, transport.ScopeName, s.InstrumentationScope().Name)
	u, _ := url.Parse(srv.URL)
	require.Equal(t, map[string]any{
		"restrict.provider":         "testprov",
		"restrict.operation":        "BlockThing",
		"http.request.method":       "POST",
		"server.address":            u.Hostname(),
		"http.response.status_code": int64(200),
		"restrict.attempts":         int64(2),
	}, testkit.Attrs(s.Attributes()))
	require.Equal(t, codes.Unset, s.Status().Code)
	require.Len(t, s.Events(), 1)
	ev := s.Events()[0]
	require.Equal(t, "retry", ev.Name)
	a := testkit.Attrs(ev.Attributes)
	require.Equal(t, int64(2), a["restrict.attempt"])
	require.Equal(t, int64(503), a["http.response.status_code"])
	require.Equal(t, "unavailable", a["error.type"])
	require.GreaterOrEqual(t, a["restrict.retry.wait"], 0.001, "MinWait is 1 ms")

	m := tm.Metrics(t)
	sum := m[transport.RequestsMetric].Data.(metricdata.Sum[int64])
	require.Equal(t, "{request}", m[transport.RequestsMetric].Unit)
	require.True(t, sum.IsMonotonic)
	require.Len(t, sum.DataPoints, 1)
	require.Equal(t, int64(1), sum.DataPoints[0].Value, "one per call, not per attempt")
	want := attribute.NewSet(attribute.String("provider", "testprov"), attribute.String("operation", "BlockThing"), attribute.String("class", "ok"))
	require.True(t, want.Equals(&sum.DataPoints[0].Attributes), "%v", sum.DataPoints[0].Attributes.ToSlice())
	hist := m[transport.DurationMetric].Data.(metricdata.Histogram[float64])
	require.Equal(t, "s", m[transport.DurationMetric].Unit)
	require.Len(t, hist.DataPoints, 1)
	require.Equal(t, uint64(1), hist.DataPoints[0].Count)
	require.Greater(t, hist.DataPoints[0].Sum, 0.001, "the wait is part of the call")
	require.True(t, want.Equals(&hist.DataPoints[0].Attributes))
}

// A failure sets error.type and the span's status to its class, and
// nothing of its message.
func TestAFailedCallIsAnErrorSpanWithItsClass(t *testing.T) {
	t.Parallel()
	tm := testkit.NewTelemetry(t)
	_, srv := serve(t, status(http.StatusForbidden, `{"message":"customer c-42 is not yours"}`))
	c := newClient(t, transport.Config{}, append(tm.Options(), restrict.WithBaseURL(srv.URL), fast)...)
	_, err := c.Do(context.Background(), op(false), nil)
	require.ErrorIs(t, err, restrict.ErrForbidden)

	s := tm.Ended("")[0]
	a := testkit.Attrs(s.Attributes())
	require.Equal(t, "forbidden", a["error.type"])
	require.Equal(t, int64(403), a["http.response.status_code"])
	require.Equal(t, int64(1), a["restrict.attempts"])
	require.Equal(t, codes.Error, s.Status().Code)
	require.Equal(t, "forbidden", s.Status().Description)
	require.Empty(t, s.Events())
	require.NotContains(t, tm.Text(t), "c-42")

	sum := tm.Metrics(t)[transport.RequestsMetric].Data.(metricdata.Sum[int64])
	class, _ := sum.DataPoints[0].Attributes.Value("class")
	require.Equal(t, "forbidden", class.AsString())
}

// A call its context ended is classed as the audit record says.
func TestACanceledCallIsClassedCanceled(t *testing.T) {
	t.Parallel()
	tm := testkit.NewTelemetry(t)
	_, srv := serve(t, status(http.StatusOK, `{}`))
	c := newClient(t, transport.Config{}, append(tm.Options(), restrict.WithBaseURL(srv.URL), fast)...)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Do(ctx, op(true), nil)
	require.ErrorIs(t, err, context.Canceled)
	require.Equal(t, "canceled", testkit.Attrs(tm.Ended("")[0].Attributes())["error.type"])
	sum := tm.Metrics(t)[transport.RequestsMetric].Data.(metricdata.Sum[int64])
	class, _ := sum.DataPoints[0].Attributes.Value("class")
	require.Equal(t, "canceled", class.AsString())
}

// The span of a call is a child of the caller's span.
func TestTheSpanIsAChildOfTheCallersSpan(t *testing.T) {
	t.Parallel()
	tm := testkit.NewTelemetry(t)
	_, srv := serve(t, status(http.StatusOK, `{}`))
	c := newClient(t, transport.Config{}, append(tm.Options(), restrict.WithBaseURL(srv.URL), fast)...)
	tp := tm.TracerProvider()
	ctx, parent := tp.Tracer("test").Start(context.Background(), "job")
	_, err := c.Do(ctx, op(true), nil)
	require.NoError(t, err)
	parent.End()
	child := tm.Ended("testprov BlockThing")
	require.Len(t, child, 1)
	require.Equal(t, parent.SpanContext().SpanID(), child[0].Parent().SpanID())
}

// countingTracerProvider counts the tracers asked of it, to show which
// provider a client uses.
type countingTracerProvider struct {
	trace.TracerProvider
	asked atomic.Int32
}

func (p *countingTracerProvider) Tracer(name string, opts ...trace.TracerOption) trace.Tracer {
	p.asked.Add(1)
	return p.TracerProvider.Tracer(name, opts...)
}

// Without WithTracerProvider and WithMeterProvider a client uses the
// globals, installed before or after New.
//
// Not parallel: it installs the globals, which otel lets a process do
// once; the recorder's providers stay installed, shut down, for the rest
// of the package's tests, which give their own.
func TestWithoutOptionsTheGlobalsInstalledAfterNewAreUsed(t *testing.T) {
	tm := testkit.NewTelemetry(t)
	_, srv := serve(t, status(http.StatusOK, `{}`))
	c := newClient(t, transport.Config{}, restrict.WithBaseURL(srv.URL), fast)
	_, err := c.Do(context.Background(), op(true), nil)
	require.NoError(t, err)

	otel.SetTracerProvider(tm.TracerProvider())
	otel.SetMeterProvider(tm.MeterProvider())
	_, err = c.Do(context.Background(), op(true), nil)
	require.NoError(t, err)
	require.Len(t, tm.Ended("testprov BlockThing"), 1, "only the call after the global was installed")
	sum := tm.Metrics(t)[transport.RequestsMetric].Data.(metricdata.Sum[int64])
	require.Equal(t, int64(1), sum.DataPoints[0].Value)
}

// A provider given as an option is used and asked for a tracer once per
// client, not per call.
func TestTheGivenProviderIsAskedOnce(t *testing.T) {
	t.Parallel()
	tm := testkit.NewTelemetry(t)
	tp := &countingTracerProvider{TracerProvider: tm.TracerProvider()}
	_, srv := serve(t, status(http.StatusOK, `{}`))
	c := newClient(t, transport.Config{}, restrict.WithTracerProvider(tp), restrict.WithBaseURL(srv.URL), fast)
	for range 3 {
		_, err := c.Do(context.Background(), op(true), nil)
		require.NoError(t, err)
	}
	require.Equal(t, int32(1), tp.asked.Load())
	require.Len(t, tm.Ended(""), 3)
}

// nil providers are refused, naming the option.
func TestNilProvidersAreRefused(t *testing.T) {
	t.Parallel()
	_, err := transport.New(transport.Config{Provider: "testprov", DefaultBaseURL: "https://api.example"}, []restrict.Option{restrict.WithTracerProvider(nil)})
	require.ErrorIs(t, err, restrict.ErrInvalidRequest)
	require.ErrorContains(t, err, "WithTracerProvider")
	_, err = transport.New(transport.Config{Provider: "testprov", DefaultBaseURL: "https://api.example"}, []restrict.Option{restrict.WithMeterProvider(nil)})
	require.ErrorIs(t, err, restrict.ErrInvalidRequest)
	require.ErrorContains(t, err, "WithMeterProvider")
}
