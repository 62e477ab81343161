// Package transport makes one HTTP call for every provider package: it
// builds the request from an Operation, signs every attempt, retries what is
// safe to retry on go-retryablehttp, reads a bounded answer, decodes it
// through the provider's Decoder, and logs without secrets.
//
// Provider packages describe themselves once with a Config and then call
// Client.Do per operation; nothing about retries, signing order, redaction
// or connection reuse is written twice.
package transport
