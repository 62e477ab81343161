// Package testkit is scaffolding that tests of several packages share. It
// is imported by tests only, never by the SDK, bulk or the command.
package testkit
