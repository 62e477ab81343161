// Package exampletest checks the provider example programs the same way:
// each runs to the end, prints what it promises, and prints no credential.
package exampletest

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

// Check runs an example's run function with no flags and with -v, and
// requires exit code 0, every string of want in stdout, and none of
// secrets in stdout or stderr.
func Check(t *testing.T, run func(args []string, stdout, stderr io.Writer) int, want, secrets []string) {
	t.Helper()
	for _, args := range [][]string{nil, {"-v"}} {
		args := args
		t.Run(strings.Join(append([]string{"args"}, args...), " "), func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			if code := run(args, &stdout, &stderr); code != 0 {
				t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
			}
			for _, w := range want {
				if !strings.Contains(stdout.String(), w) {
					t.Errorf("stdout lacks %q:\n%s", w, stdout.String())
				}
			}
			for _, s := range secrets {
				if strings.Contains(stdout.String()+stderr.String(), s) {
					t.Errorf("the output contains %q, a credential or token", s)
				}
			}
		})
	}
}
