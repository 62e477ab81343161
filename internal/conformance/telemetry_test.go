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
	"github.com/restrictkit/restrict/internal/transport"
	"github.com/restrictkit/restrict/restricttest"
)

func spanAttrs(set []attribute.KeyValue) map[string]any {
	out := map[string]any{}
	for _, a := range set {
		out[string(a.Key)] = a.Value.AsInterface()
	}
	return out
}

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
			op := spanAttrs(first[0].Attributes())["restrict.operation"].(string)
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
				a := spanAttrs(sp.Attributes())
				require.Equal(t, s.name, a["restrict.provider"])
				require.Equal(t, op, a["restrict.operation"])
				require.NotEmpty(t, a["http.request.method"])
				require.Equal(t, "127.0.0.1", a["server.address"])
			}

			retried := spanAttrs(spans[1].Attributes())
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
				"restrict.retry.wait":       spanAttrs(ev.Attributes)["restrict.retry.wait"],
			}, spanAttrs(ev.Attributes))

			failed := spanAttrs(spans[2].Attributes())
			require.Equal(t, int64(3), failed["restrict.attempts"])
			require.Equal(t, int64(500), failed["http.response.status_code"])
			require.Equal(t, "unavailable", failed["error.type"])
			require.Equal(t, codes.Error, spans[2].Status().Code)
			require.Equal(t, "unavailable", spans[2].Status().Description)
			require.Len(t, spans[2].Events(), 2)

			m := h.tel.Metrics(t)
			counts := map[string]int64{}
			for _, p := range m[transport.RequestsMetric].Data.(metricdata.Sum[int64]).DataPoints {
				requireMeasured(t, s.name, p.Attributes)
				if v, _ := p.Attributes.Value("operation"); v.AsString() == op {
					class, _ := p.Attributes.Value("class")
					counts[class.AsString()] += p.Value
				}
			}
			require.Equal(t, map[string]int64{"ok": 2, "unavailable": 1}, counts)
			durations := map[string]uint64{}
			for _, p := range m[transport.DurationMetric].Data.(metricdata.Histogram[float64]).DataPoints {
				requireMeasured(t, s.name, p.Attributes)
				if v, _ := p.Attributes.Value("operation"); v.AsString() == op {
					class, _ := p.Attributes.Value("class")
					durations[class.AsString()] += p.Count
				}
			}
			require.Equal(t, map[string]uint64{"ok": 2, "unavailable": 1}, durations)
			h.requireNoSecret(t, e, err)
		})
	}
}

// requireMeasured checks that a measurement has exactly the three
// attributes, the provider's name among them.
func requireMeasured(t *testing.T, provider string, set attribute.Set) {
	t.Helper()
	require.Equal(t, 3, set.Len(), "%v", set.ToSlice())
	v, _ := set.Value("provider")
	require.Equal(t, provider, v.AsString())
	for _, k := range []attribute.Key{"operation", "class"} {
		_, ok := set.Value(k)
		require.True(t, ok, "%s", k)
	}
}
