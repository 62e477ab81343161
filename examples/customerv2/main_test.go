package main

import (
	"testing"

	"github.com/restrictkit/restrict/customerv2/customerv2test"
	"github.com/restrictkit/restrict/examples/internal/exampletest"
)

func TestRun(t *testing.T) {
	t.Parallel()
	exampletest.Check(t, run, []string{
		"status Active",
		"duplicate email refused (ErrConflict)",
		"incomplete create refused (ErrInvalidRequest true)",
		"Alex Smith <alex@example.com>",
		"Suspend: success true",
		"status Suspended, suspended true",
		"unknown customer (ErrNotFound)",
		"Restrictor: customerv2 suspend -> restricted",
		"Checker: state restricted",
		"Lift unsupported: true",
		"logins: 1",
	}, []string{customerv2test.Password, "Bearer", "eyJ"})
}
