package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/restrictkit/restrict/customerv2/customerv2test"
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
				"status Active",
				"duplicate email refused (ErrConflict)",
				"incomplete create refused (ErrInvalidRequest true)",
				"Alex Smith <alex@example.com>",
				"Suspend: success true",
				"status Suspended, suspended true",
				"unknown customer (ErrNotFound)",
				"Restrictor: customerv2 suspend -> restricted",
				"Lift unsupported: true",
				"logins: 1",
			} {
				if !strings.Contains(stdout.String(), want) {
					t.Errorf("stdout lacks %q:\n%s", want, stdout.String())
				}
			}
			for _, s := range []string{customerv2test.DefaultPassword, customerv2test.DefaultAPIKey, "Bearer", "eyJ"} {
				if strings.Contains(stdout.String()+stderr.String(), s) {
					t.Errorf("the output contains %q, a credential or token", s)
				}
			}
		})
	}
}
