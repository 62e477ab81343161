package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{nil, {"-v"}} {
		t.Run(strings.Join(append([]string{"args"}, args...), " "), func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			if code := run(args, &stdout, &stderr); code != 0 {
				t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
			}
			for _, want := range []string{
				"same order ID gives the same wallet: true",
				"webhook verified: wallet customer-42 25.00 paid",
				"forged webhook refused: true",
				"status blocked",
				"refunded 24.50 (commission 0.50)",
				"second refund refused (ErrConflict)",
				"Restrict: cryptomus block -> restricted",
				"Lift unsupported: true",
			} {
				if !strings.Contains(stdout.String(), want) {
					t.Errorf("stdout lacks %q:\n%s", want, stdout.String())
				}
			}
			if strings.Contains(stdout.String()+stderr.String(), paymentKey) {
				t.Error("the payment key was printed")
			}
		})
	}
}
