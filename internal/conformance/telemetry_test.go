package conformance_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/testkit"
	"github.com/restrictkit/restrict/internal/transport"
	"github.com/restrictkit/restrict/restricttest"
)

// callSpans are the spans of the contract's calls: those without a parent.
// A login the call needed is its child.
func callSpans(spans []sdktrace.ReadOnlySpan) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range spans {
		if !s.Parent().IsValid() {
			out = append(out, s)
		}
	}
	return out
}

// Every provider's native call is one client span named "<provider>
// <operation>", with the same attributes and a "retry" event per retry,
// and one count and one duration with the provider, the operation and the
// class; and nothing in any of it is a secret or a target.
func TestEveryNativeCallIsOneSpanAndOneMeasurement(t *testing.T) {
	t.Parallel()
	for _, s := range subjects {
		s := s
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			e := s.start(t)
			h := newHarness(t, fastRetry, 0)
			c, err := e.newClient(h.opts...)
			require.NoError(t, err)
			ctx := context.Background()

			// The first call logs in where the provider has a login, so
			// that the faults below meet the native call itself.
			_, err = c.Restrict(ctx, e.target)
			require.NoError(t, err)
			first := callSpans(h.tel.Ended(""))
			require.Len(t, first, 1)
			op := testkit.Attrs(first[0].Attributes())["restrict.operation"].(string)
			require.NotEmpty(t, op)
			require.Equal(t, s.name+" "+op, first[0].Name())
			for _, child := range h.tel.Ended("") {
				if child.Parent().IsValid() {
					require.Equal(t, first[0].SpanContext().SpanID(), child.Parent().SpanID(), "a login is a child of the call that needed it")
				}
			}

			e.fake.Inject(restricttest.Fault{Status: 503, Times: 1})
			res, err := c.Restrict(ctx, e.target)
			require.NoError(t, err)
			require.Equal(t, 2, res.Attempts)

			e.fake.Inject(restricttest.Fault{Status: 500})
			_, err = c.Restrict(ctx, e.target)
			require.ErrorIs(t, err, restrict.ErrUnavailable)

			spans := callSpans(h.tel.Ended(""))
			require.Len(t, spans, 3, "one span per call, not per attempt")
			for _, sp := range spans {
				require.Equal(t, s.name+" "+op, sp.Name())
				require.Equal(t, trace.SpanKindClient, sp.SpanKind())
				require.Equal(t, transport.ScopeName, sp.InstrumentationScope().Name)
				a := testkit.Attrs(sp.Attributes())
				require.Equal(t, s.name, a["restrict.provider"])
				require.Equal(t, op, a["restrict.operation"])
				require.NotEmpty(t, a["http.request.method"])
				require.Equal(t, "127.0.0.1", a["server.address"])
			}

			retried := testkit.Attrs(spans[1].Attributes())
			require.Equal(t, int64(2), retried["restrict.attempts"])
			require.Equal(t, int64(200), retried["http.response.status_code"])
			require.NotContains(t, retried, "error.type")
			require.Equal(t, codes.Unset, spans[1].Status().Code)
			require.Len(t, spans[1].Events(), 1)
			ev := spans[1].Events()[0]
			require.Equal(t, "retry", ev.Name)
			require.Equal(t, map[string]any{
				"restrict.attempt":          int64(2),
				"http.response.status_code": int64(503),
				"error.type":                "unavailable",
				"restrict.retry.wait":       testkit.Attrs(ev.Attributes)["restrict.retry.wait"],
			}, testkit.Attrs(ev.Attributes))

			failed := testkit.Attrs(spans[2].Attributes())
			require.Equal(t, int64(3), failed["restrict.attempts"])
			require.Equal(t, int64(500), failed["http.response.status_code"])
			require.Equal(t, "unavailable", failed["error.type"])
			require.Equal(t, codes.Error, spans[2].Status().Code)
			require.Equal(t, "unavailable", spans[2].Status().Description)
			require.Len(t, spans[2].Events(), 2)

			m := h.tel.Metrics(t)
			counts := map[string]int64{}
			for _, p := range m[transport.RequestsMetric].Data.(metricdata.Sum[int64]).DataPoints {
				if class, ok := measuredClass(t, s.name, op, p.Attributes); ok {
					counts[class] += p.Value
				}
			}
			require.Equal(t, map[string]int64{"ok": 2, "unavailable": 1}, counts)
			durations := map[string]int64{}
			for _, p := range m[transport.DurationMetric].Data.(metricdata.Histogram[float64]).DataPoints {
				if class, ok := measuredClass(t, s.name, op, p.Attributes); ok {
					durations[class] += int64(p.Count)
				}
			}
			require.Equal(t, counts, durations, "a duration for every call counted")
			h.requireNoSecret(t, e, err)
		})
	}
}

// measuredClass checks that a measurement has exactly the three
// attributes, the provider's name among them, and returns its class when
// it is of operation op.
func measuredClass(t *testing.T, provider, op string, set attribute.Set) (string, bool) {
	t.Helper()
	require.Equal(t, 3, set.Len(), "%v", set.ToSlice())
	v, _ := set.Value("provider")
	require.Equal(t, provider, v.AsString())
	operation, _ := set.Value("operation")
	class, ok := set.Value("class")
	require.True(t, ok, "class")
	return class.AsString(), operation.AsString() == op
}
