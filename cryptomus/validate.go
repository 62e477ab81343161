package cryptomus

import (
	"net/url"
	"unicode"
	"unicode/utf8"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/transport"
)

// alphaDash checks Laravel's alpha_dash rule with a length in characters,
// as Cryptomus' validator applies them: letters (marks included), digits,
// "-" and "_". Laravel's letters and digits are Unicode ones, so an order
// ID in Cyrillic is valid there and is not refused here. It returns the
// problem, or "".
func alphaDash(s string, minLen, maxLen int) string {
	n := utf8.RuneCountInString(s)
	switch {
	case n == 0:
		return "is required"
	case n < minLen || n > maxLen:
		return "must be " + itoa(minLen) + " to " + itoa(maxLen) + " characters long"
	}
	for _, r := range s {
		if r != '-' && r != '_' && !unicode.IsLetter(r) && !unicode.IsMark(r) && !unicode.IsNumber(r) {
			return "may hold only letters, digits, \"-\" and \"_\""
		}
	}
	return ""
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

// walletRef checks the wallet identifier of a block or refund call: exactly
// one of uuid and order_id. The docs disagree on which wins when both are
// sent (the block page says order_id, the refund page uuid), so both is
// refused rather than guessed.
func walletRef(op, uuid, orderID string) error {
	switch {
	case uuid == "" && orderID == "":
		return restrict.NewFieldError(Provider, op, "uuid", "or order_id is required")
	case uuid != "" && orderID != "":
		return restrict.NewFieldError(Provider, op, "uuid", "and order_id must not both be set: Cryptomus' docs disagree on which wins")
	case uuid != "" && !transport.IsUUID(uuid):
		return restrict.NewFieldError(Provider, op, "uuid", "must be a UUID")
	case orderID != "":
		if p := alphaDash(orderID, 1, 32); p != "" {
			return restrict.NewFieldError(Provider, op, "order_id", p)
		}
	}
	return nil
}

// checkURL applies Laravel's url rule as far as it matters here: an
// absolute http or https URL with a host.
func checkURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
