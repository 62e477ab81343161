// Package bench measures what the SDK costs per call beside a plain
// net/http + encoding/json call that sends the same request, and proves
// that clients reuse their connections and share one login.
//
// It holds no code of its own: everything is in its tests and benchmarks.
// Run them with
//
//	go test -run '^$' -bench BenchmarkRestrict -benchmem -count 10 ./internal/bench/
//	go test -count=1 ./internal/bench/
//
// and see docs/PERFORMANCE.md for the results and how to read them.
package bench
