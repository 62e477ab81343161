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
				"duplicate external ID refused (ErrConflict)",
				"125.50 USDT",
				"BlockCustomer: blocked true",
				"blocked true",
				"transactions found: 1",
				"UnblockCustomer: blocked false",
				"unknown customer (ErrNotFound, Calypso code 004)",
				"wrong secret (ErrUnauthorized, Calypso code 003)",
				"Restrictor: purse block -> restricted",
				"Restrictor: purse unblock -> active",
			} {
				if !strings.Contains(stdout.String(), want) {
					t.Errorf("stdout lacks %q:\n%s", want, stdout.String())
				}
			}
			for _, s := range []string{key, secret, "not-the-secret"} {
				if strings.Contains(stdout.String()+stderr.String(), s) {
					t.Errorf("the credential %q was printed", s)
				}
			}
		})
	}
}
