package main

import (
	"testing"

	"github.com/restrictkit/restrict/examples/internal/exampletest"
	"github.com/restrictkit/restrict/walletplatform/walletplatformtest"
)

func TestRun(t *testing.T) {
	t.Parallel()
	exampletest.Check(t, run, []string{
		"FreezeAccount " + accountUUID + `: "Account freeze successful" (HTTP 200)`,
		"status FROZEN",
		"UnfreezeAccount " + accountUUID + `: "Account unfreeze successful" (2 attempt(s))`,
		"GetAccount (XML answer): " + accountUUID + " status ACTIVE",
		"logins: 2",
		"unknown account (ErrNotFound, HTTP 404)",
		"wrong pass ID (ErrUnauthorized)",
		"contract: walletplatform freeze -> restricted",
		"contract: walletplatform status -> restricted",
		"contract: walletplatform unfreeze -> active",
		"contract: walletplatform status -> active",
	}, []string{string(walletplatformtest.APIKey), string(walletplatformtest.PassID), "not-the-pass-id", "Bearer", "eyJ"})
}
