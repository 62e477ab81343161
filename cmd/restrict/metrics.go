package main

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/otlptranslator"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/restrictkit/restrict/bulk"
)

// metricsTokenVar is the variable of the bearer token that every request
// to the --metrics-addr server must present, when it is set.
const metricsTokenVar = "RESTRICT_METRICS_TOKEN"

// The OTLP/HTTP endpoints' variables, the OpenTelemetry standard ones: the
// signal's own wins over the common one, which is a base URL that the
// signal's path is added to.
const (
	otlpEndpointVar        = "OTEL_EXPORTER_OTLP_ENDPOINT"
	otlpTracesEndpointVar  = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
	otlpMetricsEndpointVar = "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"
)

// metricsHelp is the help of --metrics-addr and the OTLP variables, the
// last paragraph of run's and worker's.
const metricsHelp = `--metrics-addr 127.0.0.1:9464 serves /metrics (Prometheus text: the
restrict_bulk_* and restrict_provider_* metrics and River's), /healthz (200
while the command runs) and /readyz (200 while the database answers, 503
otherwise) until the command ends. With RESTRICT_METRICS_TOKEN set, every
request must send "Authorization: Bearer <token>"; an address beyond
loopback is refused without it. With OTEL_EXPORTER_OTLP_ENDPOINT (or its
_TRACES_ and _METRICS_ forms) set, traces and metrics also go there over
OTLP/HTTP, flushed at exit (up to 5s).`

// telemetryFlush bounds the flush of traces and metrics at exit, so that
// an absent collector delays the command's end by no more than this.
const telemetryFlush = 5 * time.Second

// readyTimeout bounds /readyz's ping of the database.
const readyTimeout = 2 * time.Second

// telemetry is a command's OpenTelemetry: the providers it installed as
// the otel globals (so that the SDK's instruments and bulk's land there),
// and the --metrics-addr server. A nil *telemetry is a command that asked
// for none.
type telemetry struct {
	meters  *sdkmetric.MeterProvider // nil when no metric goes anywhere
	tracers *sdktrace.TracerProvider // nil when no OTLP traces endpoint is set
	srv     *http.Server             // nil without --metrics-addr
	served  chan struct{}            // closed when srv's Serve has returned
	engine  atomic.Pointer[bulk.Engine]
	// metrics serves the Prometheus metrics on a server of the
	// command's own; nil unless startTelemetryFor was asked for it.
	metrics http.Handler
}

// checkMetricsAddr checks --metrics-addr and the token rule before anything is
// sent: a bad address, or one beyond this machine without
// RESTRICT_METRICS_TOKEN, is a usage error.
func (a *app) checkMetricsAddr(addr string) error {
	if addr == "" {
		return nil
	}
	host, port, err := net.SplitHostPort(addr)
	if n, perr := strconv.Atoi(port); err != nil || perr != nil || n < 0 || n > 65535 {
		return usagef("--metrics-addr %q: want HOST:PORT, for example 127.0.0.1:9464", addr)
	}
	if !isLoopback(host) && a.env(metricsTokenVar) == "" {
		return usagef("--metrics-addr %s listens beyond this machine: set %s to a secret that every request must send as \"Authorization: Bearer <token>\", or listen on 127.0.0.1; nothing was sent",
			addr, metricsTokenVar)
	}
	return nil
}

// isLoopback reports whether host is this machine only. An empty host is
// every interface; a name other than localhost may resolve anywhere.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(strings.SplitN(host, "%", 2)[0])
	return ip != nil && ip.IsLoopback()
}

// otlpEndpoint is the URL an OTLP/HTTP exporter of a signal posts to, from
// the standard variables (the environment or --env-file), or "" when
// neither is set.
func (a *app) otlpEndpoint(signalVar, path string) (string, error) {
	name, v := signalVar, strings.TrimSpace(a.env(signalVar))
	if v == "" {
		name, v = otlpEndpointVar, strings.TrimSpace(a.env(otlpEndpointVar))
		if v == "" {
			return "", nil
		}
		v = strings.TrimRight(v, "/") + path
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		// The value is not quoted: its URL may carry a credential.
		return "", usagef("%s: want an http:// or https:// URL", name)
	}
	return v, nil
}

// startTelemetry listens on addr (if set), creates the meter and tracer
// providers the command needs and installs them as the otel globals. It
// is called once the command line is checked and before anything is sent:
// an address that cannot be listened on is a usage error. shutdown ends
// what it started.
func (a *app) startTelemetry(ctx context.Context, addr string) (*telemetry, error) {
	return a.startTelemetryFor(ctx, addr, false)
}

// startTelemetryFor is startTelemetry; with handler, the Prometheus
// metrics are also kept for a server of the command's own (restrict
// serve's /metrics) in telemetry.metrics.
func (a *app) startTelemetryFor(ctx context.Context, addr string, handler bool) (*telemetry, error) {
	tracesURL, err := a.otlpEndpoint(otlpTracesEndpointVar, "/v1/traces")
	if err != nil {
		return nil, err
	}
	metricsURL, err := a.otlpEndpoint(otlpMetricsEndpointVar, "/v1/metrics")
	if err != nil {
		return nil, err
	}
	if addr == "" && !handler && tracesURL == "" && metricsURL == "" {
		return nil, nil
	}
	var ln net.Listener
	if addr != "" {
		if ln, err = net.Listen("tcp", addr); err != nil {
			return nil, usagef("--metrics-addr %s: %v", addr, errors.Unwrap(err))
		}
	}
	res, err := resource.New(ctx,
		resource.WithAttributes(attribute.String("service.name", "restrict")),
		resource.WithFromEnv(), resource.WithTelemetrySDK())
	if err != nil {
		// A partial resource (a bad OTEL_RESOURCE_ATTRIBUTES) still names
		// the service.
		a.logger.Warn("telemetry resource", "error", err)
	}
	// OpenTelemetry's own errors (an export that failed) go to the
	// command's log, not to the standard logger.
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) { a.logger.Warn("telemetry", "error", err) }))

	t := &telemetry{}
	var readers []sdkmetric.Option
	reg := prometheus.NewRegistry()
	if ln != nil || handler {
		exp, err := otelprom.New(otelprom.WithRegisterer(reg),
			otelprom.WithTranslationStrategy(otlptranslator.UnderscoreEscapingWithSuffixes))
		if err != nil {
			closeListener(ln)
			return nil, fmt.Errorf("the Prometheus exporter: %w", err)
		}
		readers = append(readers, sdkmetric.WithReader(exp))
	}
	if metricsURL != "" {
		exp, err := otlpmetrichttp.New(ctx, otlpmetrichttp.WithEndpointURL(metricsURL))
		if err != nil {
			closeListener(ln)
			return nil, fmt.Errorf("the OTLP metric exporter: %w", err)
		}
		readers = append(readers, sdkmetric.WithReader(sdkmetric.NewPeriodicReader(exp)))
	}
	if tracesURL != "" {
		exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(tracesURL))
		if err != nil {
			closeListener(ln)
			return nil, fmt.Errorf("the OTLP trace exporter: %w", err)
		}
		t.tracers = sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
		otel.SetTracerProvider(t.tracers)
	}
	if handler {
		t.metrics = promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	}
	t.meters = sdkmetric.NewMeterProvider(append(readers, sdkmetric.WithResource(res))...)
	otel.SetMeterProvider(t.meters)
	if ln != nil {
		t.serve(ln, reg, a.env(metricsTokenVar))
		fmt.Fprintf(a.stderr, "restrict: serving /metrics, /healthz and /readyz on http://%s\n", ln.Addr())
	}
	return t, nil
}

func closeListener(ln net.Listener) {
	if ln != nil {
		_ = ln.Close()
	}
}

// serve answers on ln until shutdown: /metrics from reg, /healthz while
// the command runs, /readyz while its database answers. With a token, every
// request must present it.
func (t *telemetry) serve(ln net.Listener, reg *prometheus.Registry, token string) {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		e := t.engine.Load()
		if e == nil {
			http.Error(w, "the database is not open yet", http.StatusServiceUnavailable)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
		defer cancel()
		if err := e.Ping(ctx); err != nil {
			// Not the error itself: the server may listen beyond this
			// machine, and the error names the database's host.
			http.Error(w, "the database does not answer", http.StatusServiceUnavailable)
			return
		}
		_, _ = fmt.Fprintln(w, "ok")
	})
	var h http.Handler = mux
	if token != "" {
		h = requireToken(token, mux)
	}
	t.srv = &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	t.served = make(chan struct{})
	go func() {
		defer close(t.served)
		_ = t.srv.Serve(ln)
	}()
}

// requireToken answers 401 to a request without "Authorization: Bearer
// <token>", comparing in constant time.
func requireToken(token string, next http.Handler) http.Handler {
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			w.Header().Set("WWW-Authenticate", "Bearer")
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// ready makes /readyz ask e's database.
func (t *telemetry) ready(e *bulk.Engine) {
	if t != nil {
		t.engine.Store(e)
	}
}

// meterProvider and tracerProvider are the providers for bulk's Config:
// nil (the globals) unless the command made its own.
func (t *telemetry) meterProvider() metric.MeterProvider {
	if t == nil || t.meters == nil {
		return nil
	}
	return t.meters
}

func (t *telemetry) tracerProvider() trace.TracerProvider {
	if t == nil || t.tracers == nil {
		return nil
	}
	return t.tracers
}

// shutdown closes the server and its listener, then flushes the providers
// within telemetryFlush.
func (t *telemetry) shutdown(a *app) {
	if t == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), telemetryFlush)
	defer cancel()
	if t.srv != nil {
		if err := t.srv.Shutdown(ctx); err != nil {
			_ = t.srv.Close()
		}
		<-t.served
	}
	if t.tracers != nil {
		if err := t.tracers.Shutdown(ctx); err != nil {
			a.logger.Warn("flushing traces", "error", err)
		}
	}
	if err := t.meters.Shutdown(ctx); err != nil {
		a.logger.Warn("flushing metrics", "error", err)
	}
}
