package main

import (
	"testing"

	"github.com/restrictkit/restrict/examples/internal/exampletest"
	"github.com/restrictkit/restrict/walletplatform/walletplatformtest"
)

func TestRun(t *testing.T) {
	t.Parallel()
	exampletest.Check(t, run, []string{
		"FreezeAccount: FREEZE " + accountUUID,
		"status FROZEN",
		"UnfreezeAccount: UNFREEZE " + accountUUID,
		"GetAccount (XML answer): " + accountUUID + " status ACTIVE",
		"logins: 2",
		"unknown account (ErrNotFound, HTTP 404)",
		"wrong pass ID (ErrUnauthorized)",
		"Restrictor: walletplatform freeze -> restricted",
		"Restrictor: walletplatform unfreeze -> active",
	}, []string{string(walletplatformtest.APIKey), string(walletplatformtest.PassID), "not-the-pass-id", "Bearer", "eyJ"})
}
