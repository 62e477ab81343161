package main

import (
	"flag"
	"os"
	"testing"
)

// TestMain runs the command's tests several at a time even on a machine of
// two cores: they wait on fakes, rate limits and rescues far more than they
// compute. An explicit -test.parallel wins.
func TestMain(m *testing.M) {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set {
		_ = flag.Set("test.parallel", "6")
	}
	os.Exit(m.Run())
}
