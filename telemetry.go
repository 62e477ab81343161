package restrict

import (
	"errors"

	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/restrictkit/restrict/internal/config"
)

// WithTracerProvider makes the client's spans with tp: one span of kind
// client per native provider call, named "<provider> <operation>"
// ("purse BlockCustomer"), with the provider, the operation, the HTTP
// method, the host, the last status, the number of HTTP attempts, the
// error's class, and a "retry" event per retry. No span holds a target ID,
// a path, a query, a header, a body or a credential. Without this option a
// client uses otel.GetTracerProvider(), so that a global provider
// installed after New is used too, and with none installed it records
// nothing.
//
// The instrumentation scope is "github.com/restrictkit/restrict".
func WithTracerProvider(tp trace.TracerProvider) Option {
	return config.Func(func(o *config.Settings) error {
		if tp == nil {
			return errors.New("WithTracerProvider: the tracer provider is nil")
		}
		o.TracerProvider = tp
		return nil
	})
}

// WithMeterProvider makes the client's metrics with mp: the counter
// restrict.provider.requests (one per native call, not per attempt) and the
// histogram restrict.provider.request.duration (seconds, the whole call
// with its retries), both with the attributes provider, operation and
// class (the ClassName of the error, "timeout" or "canceled" for a call
// its context ended, "ok" on success). Without this option a client uses
// otel.GetMeterProvider(), which delegates to a global provider installed
// after New, and with none installed it records nothing.
func WithMeterProvider(mp metric.MeterProvider) Option {
	return config.Func(func(o *config.Settings) error {
		if mp == nil {
			return errors.New("WithMeterProvider: the meter provider is nil")
		}
		o.MeterProvider = mp
		return nil
	})
}

// TelemetryClass is the class attribute of the SDK's metrics and the
// error.type of its spans: "ok" for nil, ClassName's name for an error of
// a class, "timeout" or "canceled" for a call its context ended (as the
// audit record says), and "_OTHER" for any other error. Code that records
// metrics beside the SDK's uses it to agree with them.
func TelemetryClass(err error) string {
	if err == nil {
		return "ok"
	}
	if name := recordClass(err); name != "" {
		return name
	}
	return "_OTHER"
}
