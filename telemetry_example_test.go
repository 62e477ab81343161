package restrict_test

import (
	"context"
	"fmt"
	"net/http"

	"github.com/jarcoal/httpmock"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/kpayment"
	"github.com/restrictkit/restrict/restricttest"
)

// Trace and measure a client's provider calls with the program's own
// OpenTelemetry providers: here the SDK's in-memory recorder and reader;
// in production, providers with an exporter (OTLP, Prometheus). Without
// these options the client uses the otel globals, and records nothing
// until a program installs one. No span or metric holds the customer.
func ExampleWithTracerProvider() {
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	ctx := context.Background()
	defer func() { _ = tp.Shutdown(ctx); _ = mp.Shutdown(ctx) }()

	mt := httpmock.NewMockTransport()
	mt.RegisterNoResponder(httpmock.NewStringResponder(http.StatusOK, `{}`))
	client, err := kpayment.New(kpayment.Credentials{Username: "subscriber", Password: "pw-from-your-vault"},
		restricttest.WithTransport(mt), restrict.WithTracerProvider(tp), restrict.WithMeterProvider(mp))
	if err != nil {
		panic(err)
	}
	if _, err := client.Restrict(ctx, restrict.Target{ID: "0e4b8c4c-7d3f-4b8e-9d7a-3f0c5b9e2a11"}); err != nil {
		panic(err)
	}

	for _, s := range spans.Ended() {
		fmt.Println(s.Name(), s.SpanKind())
	}
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(ctx, &rm); err != nil {
		panic(err)
	}
	for _, m := range rm.ScopeMetrics[0].Metrics {
		fmt.Println(m.Name, m.Unit)
	}
	// Output:
	// kpayment BlockCustomer client
	// restrict.provider.requests {request}
	// restrict.provider.request.duration s
}
