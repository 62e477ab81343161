package transport

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/config"
)

// BenchmarkTelemetryOff is what a call pays for telemetry when no program
// installed a provider: the span's start and end and the instruments'
// Enabled checks, without the HTTP call around them.
func BenchmarkTelemetryOff(b *testing.B) {
	tel := newTelemetry("testprov", "api.example", config.Settings{})
	op := &Operation{Name: "BlockThing", Method: http.MethodPost}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		cctx, span := tel.start(ctx, op)
		tel.end(cctx, span, op, restrict.Meta{StatusCode: 200, Attempts: 1}, nil, time.Millisecond)
	}
}
