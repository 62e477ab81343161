package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/restrictkit/restrict/walletplatform/walletplatformtest"
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
				"FreezeAccount: FREEZE " + accountUUID,
				"status FROZEN",
				"UnfreezeAccount: UNFREEZE " + accountUUID,
				"GetAccount (XML answer): " + accountUUID + " status ACTIVE",
				"logins: 2",
				"unknown account (ErrNotFound, HTTP 404)",
				"wrong pass ID (ErrUnauthorized)",
				"Restrictor: walletplatform freeze -> restricted",
				"Restrictor: walletplatform unfreeze -> active",
			} {
				if !strings.Contains(stdout.String(), want) {
					t.Errorf("stdout lacks %q:\n%s", want, stdout.String())
				}
			}
			for _, s := range []string{string(walletplatformtest.APIKey), string(walletplatformtest.PassID), "not-the-pass-id", "Bearer", "eyJ"} {
				if strings.Contains(stdout.String()+stderr.String(), s) {
					t.Errorf("the output contains %q, a credential or token", s)
				}
			}
		})
	}
}
