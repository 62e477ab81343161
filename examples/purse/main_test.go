package main

import (
	"testing"

	"github.com/restrictkit/restrict/examples/internal/exampletest"
)

func TestRun(t *testing.T) {
	t.Parallel()
	exampletest.Check(t, run, []string{
		"duplicate external ID refused (ErrConflict)",
		"125.50 USDT",
		"BlockCustomer: blocked true",
		"blocked true",
		"transactions found: 1",
		"UnblockCustomer: blocked false",
		"unknown customer (ErrNotFound, Calypso code 004)",
		"wrong secret (ErrUnauthorized, Calypso code 003)",
		"Restrictor: purse block -> restricted",
		"Checker: purse status restricted",
		"Restrictor: purse unblock -> active",
		"Checker: purse status active",
	}, []string{key, secret, "not-the-secret"})
}
