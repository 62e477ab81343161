package conformance_test

import (
	"testing"

	"go.uber.org/goleak"
)

// Every test closes its clients' transports and its fakes, so any goroutine
// left at the end is a leak in the SDK or a fake.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
