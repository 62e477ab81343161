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
				"BlockCustomer: HTTP 200, 1 attempt(s)",
				"warning 150000 NO_PREFERRED_DEALER_ID",
				"card *4242 VISA of Alex Smith, onlinePayment=true sendBlockNotification=false",
				"through two 503s: HTTP 200 after 3 attempts",
				"ErrInvalidRequest, refused before sending (0 attempts)",
				"ErrForbidden, HTTP 403, code 100002",
				"ErrUnauthorized, HTTP 401, code WRONG_CREDENTIAL, retryable false",
				"ErrUnavailable, retryable true",
				"Restrictor: kpayment block -> restricted",
				"Lift unsupported: true",
			} {
				if !strings.Contains(stdout.String(), want) {
					t.Errorf("stdout lacks %q:\n%s", want, stdout.String())
				}
			}
			for _, s := range []string{password, "not-the-password", "Basic "} {
				if strings.Contains(stdout.String()+stderr.String(), s) {
					t.Errorf("the output contains %q, a credential", s)
				}
			}
		})
	}
}
