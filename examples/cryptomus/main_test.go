package main

import (
	"testing"

	"github.com/restrictkit/restrict/examples/internal/exampletest"
)

func TestRun(t *testing.T) {
	t.Parallel()
	exampletest.Check(t, run, []string{
		"same order ID gives the same wallet: true",
		"webhook verified: wallet customer-42 25.00 paid",
		"forged webhook refused: true",
		"status blocked",
		"refunded 24.50 (commission 0.50)",
		"second refund refused (ErrConflict)",
		"Restrict: cryptomus block -> restricted",
		"Restrict again by order ID: restricted",
		"Lift unsupported: true",
		"Status unsupported: true",
	}, []string{paymentKey})
}
