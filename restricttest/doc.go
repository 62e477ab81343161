// Package restricttest helps test code that uses restrict: fault injection
// shared by every provider fake (each provider package has its own fake
// server in <provider>/<provider>test), and, for code written against the
// Restrictor interface, a testify Mock and an in-memory Fake; and
// WithTransport, which routes a provider client through httpmock or any
// http.RoundTripper (httpmock.Activate alone does not reach these clients).
package restricttest
