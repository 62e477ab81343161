package bulk

import (
	"context"
	"fmt"
)

// Ping asks the database whether it answers now, within ctx: a readiness
// probe's question. Unlike DatabaseHealth, which costs nothing and says
// what the last operation found, it sends a round trip, so that an idle
// engine sees an outage too. It changes nothing DatabaseHealth reports.
func (e *Engine) Ping(ctx context.Context) error {
	if err := e.read.db.PingContext(ctx); err != nil {
		return fmt.Errorf("bulk: database: %w", err)
	}
	return nil
}
