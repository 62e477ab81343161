// Package testkit is scaffolding that tests of several packages share: a
// recorder of a mock transport's requests, a settable clock, JWT-shaped
// tokens and RequireAPIError for the provider packages; a cut-off TCP
// proxy and Postgres test schemas for bulk and the command. It is imported
// by tests only, never by the SDK, bulk or the command.
package testkit
