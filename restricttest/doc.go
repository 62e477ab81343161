// Package restricttest helps test code that uses restrict: fault injection
// shared by every provider fake (each provider package has its own fake
// server in <provider>/<provider>test), an in-memory Fake of the contract
// for code written against the Restrictor interface, and WithTransport,
// which routes a provider client through httpmock or any http.RoundTripper
// (httpmock.Activate alone does not reach these clients). The testify mock
// is in restricttest/restrictmock, so that importing this package links no
// test framework.
package restricttest
