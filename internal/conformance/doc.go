// Package conformance holds the suite that drives every provider client the
// same way: against its fake under each fault a real provider or proxy
// produces, with bad input, and printed or logged, checking the promises the
// root package makes (the error class, the number of attempts, no secret
// anywhere, no goroutine left behind). It has no code of its own; the suite
// is its tests.
package conformance
