package main

import (
	"testing"

	"github.com/restrictkit/restrict/examples/internal/exampletest"
)

func TestRun(t *testing.T) {
	t.Parallel()
	exampletest.Check(t, run, []string{
		"BlockCustomer: HTTP 200, 1 attempt(s)",
		"warning 150000 NO_PREFERRED_DEALER_ID",
		"card *4242 VISA of Alex Smith, onlinePayment=true sendBlockNotification=false",
		"through two 503s: HTTP 200 after 3 attempts",
		"ErrInvalidRequest, refused before sending (0 attempts)",
		"ErrForbidden, HTTP 403, code 100002",
		"ErrUnauthorized, HTTP 401, code WRONG_CREDENTIAL, retryable false",
		"ErrUnavailable, retryable true",
		"Restrictor: kpayment block -> restricted",
		"Lift unsupported: true",
		"Status unsupported: true; the fake holds the customer blocked: true",
		"Restrict of a non-UUID, refused before sending: restrict: kpayment Restrict: invalid request: ID must be a UUID",
	}, []string{password, "not-the-password", "Basic "})
}
