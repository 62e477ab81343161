// Command walletplatform walks through the SABI wallet platform client's
// native API against an in-process fake of the platform: log in with a
// user's credentials, freeze an account, look it up, unfreeze it, see how
// refusals and an expired login are handled, and read the state back
// through the provider-neutral contract.
//
//	go run ./examples/walletplatform      # -v logs every HTTP attempt to stderr
//
// It needs no account and never calls the real platform. To freeze a real
// account, use the quickstart with the RESTRICT_WALLETPLATFORM_* variables.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/examples/internal/example"
	"github.com/restrictkit/restrict/walletplatform"
	"github.com/restrictkit/restrict/walletplatform/walletplatformtest"
)

const accountUUID = "8f0c6e2a-4b7d-4e1a-9c3f-0a1b2c3d4e5f"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	return example.Run("walletplatform", args, stdout, stderr, walkthrough)
}

func walkthrough(ctx context.Context, logger *slog.Logger, out io.Writer) error {
	creds := walletplatform.Credentials{APIKey: walletplatformtest.APIKey, Username: walletplatformtest.Username, PassID: walletplatformtest.PassID}
	srv := walletplatformtest.NewServer(creds)
	defer srv.Close()
	// The platform's API has no call to open an account; the fake is
	// seeded with one.
	srv.AddAccount(accountUUID)

	// SABI publishes no TLS host, so WithBaseURL is always needed. Against
	// its documented plain-http address, restrict.WithInsecureHTTP() would
	// be needed too; a loopback fake is allowed without it.
	c, err := walletplatform.New(creds, restrict.WithBaseURL(srv.BaseURL()), restrict.WithLogger(logger))
	if err != nil {
		return err
	}

	// 1. Freeze. The first call logs in; the token is cached after that.
	fr, err := c.FreezeAccount(ctx, walletplatform.FreezeAccountRequest{AccountID: accountUUID})
	if err != nil {
		return fmt.Errorf("FreezeAccount: %w", err)
	}
	fmt.Fprintf(out, "FreezeAccount %s: %q (HTTP %d)\n", accountUUID, fr.Message, fr.StatusCode)

	acc, err := c.GetAccount(ctx, accountUUID)
	if err != nil {
		return fmt.Errorf("GetAccount: %w", err)
	}
	fmt.Fprintf(out, "GetAccount: %s status %s\n", acc.UUID, acc.Status)

	// 2. Unfreeze, after the platform restarted and forgot every token:
	// the client logs in again and repeats the call once, unseen.
	srv.RevokeTokens()
	uf, err := c.UnfreezeAccount(ctx, walletplatform.UnfreezeAccountRequest{AccountID: accountUUID})
	if err != nil {
		return fmt.Errorf("UnfreezeAccount: %w", err)
	}
	fmt.Fprintf(out, "UnfreezeAccount %s: %q (%d attempt(s))\n", accountUUID, uf.Message, uf.Attempts)

	// The documentation prints answers as XML; the client reads XML and
	// JSON alike.
	srv.SetXML(true)
	acc, err = c.GetAccount(ctx, accountUUID)
	if err != nil {
		return fmt.Errorf("GetAccount (XML): %w", err)
	}
	srv.SetXML(false)
	fmt.Fprintf(out, "GetAccount (XML answer): %s status %s\n", acc.UUID, acc.Status)
	fmt.Fprintf(out, "logins: %d\n", srv.Logins())

	// 3. Refusals match the restrict sentinels and keep the platform's words.
	_, err = c.FreezeAccount(ctx, walletplatform.FreezeAccountRequest{AccountID: "no-such-account"})
	var ae *restrict.APIError
	if !errors.As(err, &ae) || !errors.Is(err, restrict.ErrNotFound) {
		return fmt.Errorf("freezing an unknown account: got %v, want an error matching ErrNotFound", err)
	}
	fmt.Fprintf(out, "unknown account (ErrNotFound, HTTP %d): %s\n", ae.StatusCode, ae.Message)

	wrongCreds := creds
	wrongCreds.PassID = "not-the-pass-id"
	wrong, err := walletplatform.New(wrongCreds, restrict.WithBaseURL(srv.BaseURL()), restrict.WithLogger(logger))
	if err != nil {
		return err
	}
	_, err = wrong.GetAccount(ctx, accountUUID)
	if !errors.Is(err, restrict.ErrUnauthorized) {
		return fmt.Errorf("wrong pass ID: got %v, want an error matching ErrUnauthorized", err)
	}
	fmt.Fprintf(out, "wrong pass ID (ErrUnauthorized): %v\n", err)

	// 4. The same client through the provider-neutral contract: Restrict
	// and Lift, each read back with Status.
	target := restrict.Target{ID: accountUUID, Reason: "chargeback"}
	for _, call := range []func(context.Context, restrict.Target) (*restrict.Result, error){c.Restrict, c.Status, c.Lift, c.Status} {
		res, err := call(ctx, target)
		if err != nil {
			return err
		}
		action := string(res.Action)
		if action == "" {
			action = "status"
		}
		fmt.Fprintf(out, "contract: %s %s -> %s\n", res.Provider, action, res.State)
	}
	return nil
}
