package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/fleet"
)

// amountRE is a decimal amount as the providers send one.
var amountRE = regexp.MustCompile(`^[0-9]{1,20}(\.[0-9]{1,18})?$`)

// currencyRE is a currency's ticker.
var currencyRE = regexp.MustCompile(`^[A-Za-z0-9]{2,12}$`)

func (a *app) fakeWebhookCommand() *cobra.Command {
	var to, provider, target, amount, currency string
	cmd := &cobra.Command{
		Use:   "webhook --provider cryptomus|purse --target ID [--to URL] [--amount 25 --currency USDT]",
		Short: "Post a signed funds-received webhook of a provider to restrict serve",
		Long: `webhook builds the webhook the provider documents for money received by
one target (a Cryptomus static wallet's top-up, paid; Calypso's
CUSTOMER_PURSE_FUNDS_RECEIVED_FOR_PURSE for a customer), signs it with the
key restrict serve verifies it with (RESTRICT_CRYPTOMUS_PAYMENT_KEY,
RESTRICT_PURSE_WEBHOOK_KEY; restrict fakes prints both), posts it to
<to>/webhooks/cryptomus or <to>/webhooks/calypso, and prints the answer's
status. Exit status 0 for a 2xx answer, 1 for any other or none.`,
		Example: `  restrict fakes --seed 10 --subjects subjects.csv > fakes.env &
  restrict fakes webhook --env-file fakes.env --provider purse --target <a purse ID of subjects.csv>`,
		Args: cobra.NoArgs,
		RunE: a.runE(func(cmd *cobra.Command) error {
			return a.fakeWebhook(cmd.Context(), to, provider, target, amount, currency)
		}),
	}
	cmd.Flags().StringVar(&to, "to", "http://127.0.0.1:8080", "restrict serve's root URL")
	cmd.Flags().StringVar(&provider, "provider", "", "cryptomus or purse (calypso)")
	cmd.Flags().StringVar(&target, "target", "", "the target's ID at the provider: a wallet's UUID or order ID, a customer's ID")
	cmd.Flags().StringVar(&amount, "amount", "25", "the amount received")
	cmd.Flags().StringVar(&currency, "currency", "USDT", "the currency received")
	_ = cmd.MarkFlagRequired("provider")
	_ = cmd.MarkFlagRequired("target")
	return cmd
}

func (a *app) fakeWebhook(ctx context.Context, to, provider, target, amount, currency string) error {
	wr, ok := fleet.LookupWebhook(provider)
	if !ok {
		return usagef("--provider %s: want cryptomus or purse", quoteArg(provider))
	}
	root, err := url.Parse(to)
	if err != nil || (root.Scheme != "http" && root.Scheme != "https") || root.Host == "" || root.User != nil {
		return usagef("--to %s: want restrict serve's http:// or https:// root URL", quoteArg(to))
	}
	if !amountRE.MatchString(amount) {
		return usagef("--amount %s: want a decimal number such as 25 or 0.5", quoteArg(amount))
	}
	if !currencyRE.MatchString(currency) {
		return usagef("--currency %s: want a ticker such as USDT", quoteArg(currency))
	}
	keyVar := fleet.Prefix(wr.Provider) + wr.KeyVar
	key := strings.TrimSpace(a.env(keyVar))
	if key == "" {
		return usagef("%s is not set: it signs the webhook (restrict fakes prints it)", keyVar)
	}
	body, header, err := wr.Fake(restrict.Secret(key), target, amount, currency)
	if err != nil {
		return usagef("--target %s: %v", quoteArg(target), err)
	}
	endpoint := strings.TrimSuffix(root.String(), "/") + "/webhooks/" + wr.Route
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return usagef("--to %s: %v", quoteArg(to), err)
	}
	req.Header = header
	// A client of its own, not the process-wide default's state.
	client := &http.Client{Transport: &http.Transport{Proxy: http.ProxyFromEnvironment}}
	defer client.CloseIdleConnections()
	resp, err := client.Do(req)
	if err != nil {
		return failedError{fmt.Sprintf("webhook: POST %s: %v", endpoint, err)}
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	fmt.Fprintf(a.stdout, "%s %s: %s %s\n", wr.Route, target, resp.Status, terminalSafe(strings.TrimSpace(string(answer))))
	if resp.StatusCode/100 != 2 {
		return failedError{fmt.Sprintf("webhook: %s answered %s", endpoint, resp.Status)}
	}
	return nil
}

// quoteArg quotes a flag's value as Go does, so that no control character
// reaches the terminal.
func quoteArg(s string) string { return fmt.Sprintf("%q", s) }
