package restrict

import (
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// String describes the outcome on one line, for %v and logs:
//
//	purse restrict "c1" reason "court order": restricted (block; HTTP 200; 1 attempt; 3ms)
//	purse restrict "c2": failed, not_found: restrict: purse BlockCustomer: HTTP 400 … (1 attempt; 2ms)
//	kpayment lift "c3": unsupported: restrict: kpayment Lift: unsupported: …
//
// IDs and reasons are quoted and every control character is escaped, so a
// value cannot forge a line. It holds what the audit record holds
// (Outcome.MarshalJSON), never a pointer or a credential.
func (o Outcome) String() string {
	var b strings.Builder
	b.WriteString(printable(o.Name))
	b.WriteByte(' ')
	b.WriteString(printable(string(o.Op)))
	b.WriteByte(' ')
	b.WriteString(strconv.Quote(o.Target.ID))
	if o.Target.Reason != "" {
		b.WriteString(" reason ")
		b.WriteString(strconv.Quote(o.Target.Reason))
	}
	b.WriteString(": ")
	var facts []string
	switch {
	case o.Err == nil && o.Result != nil:
		r := o.Result
		b.WriteString(printable(string(r.State)))
		if r.Action != "" {
			facts = append(facts, printable(string(r.Action)))
		}
		facts = appendMeta(facts, r.StatusCode, r.RequestID, r.Attempts, false)
	case o.Err == nil:
		b.WriteString("no result")
	default:
		switch class := recordClass(o.Err); {
		case o.Unsupported():
			b.WriteString("unsupported")
		case class != "":
			b.WriteString("failed, ")
			b.WriteString(class)
		default:
			b.WriteString("failed")
		}
		b.WriteString(": ")
		b.WriteString(printable(o.Err.Error()))
		// The error's text has the status, the request ID where it
		// matters, and more than one attempt already.
		var ae *APIError
		if errors.As(o.Err, &ae) && ae.Attempts <= 1 {
			facts = appendMeta(facts, 0, "", ae.Attempts, true)
		}
	}
	if o.Duration > 0 {
		facts = append(facts, roundDuration(o.Duration).String())
	}
	if len(facts) > 0 {
		b.WriteString(" (")
		b.WriteString(strings.Join(facts, "; "))
		b.WriteByte(')')
	}
	return b.String()
}

// appendMeta adds the facts of an exchange that are known. zeroMeansNone
// says that no attempt means nothing was sent, as an APIError's count does;
// a caller's own Result may leave its Meta empty.
func appendMeta(facts []string, status int, requestID string, attempts int, zeroMeansNone bool) []string {
	if status != 0 {
		facts = append(facts, "HTTP "+strconv.Itoa(status))
	}
	if requestID != "" {
		facts = append(facts, "request "+strconv.Quote(requestID))
	}
	switch {
	case attempts == 1:
		facts = append(facts, "1 attempt")
	case attempts > 1:
		facts = append(facts, strconv.Itoa(attempts)+" attempts")
	case zeroMeansNone:
		facts = append(facts, "nothing sent")
	}
	return facts
}

// LogValue gives slog the outcome's facts under the audit record's names:
// name, action, target, reason, provider_action, state, status_code,
// request_id, attempts, duration, and for a failure class and error (its
// message). Empty facts are left out.
func (o Outcome) LogValue() slog.Value {
	attrs := []slog.Attr{
		slog.String("name", o.Name),
		slog.String("action", string(o.Op)),
		slog.String("target", o.Target.ID),
	}
	if o.Target.Reason != "" {
		attrs = append(attrs, slog.String("reason", o.Target.Reason))
	}
	state := StateUnknown
	var status, attempts int
	var requestID string
	if r := o.Result; r != nil && o.Err == nil {
		state, status, attempts, requestID = r.State, r.StatusCode, r.Attempts, r.RequestID
		if r.Action != "" {
			attrs = append(attrs, slog.String("provider_action", string(r.Action)))
		}
	}
	var ae *APIError
	if errors.As(o.Err, &ae) {
		status, attempts, requestID = ae.StatusCode, ae.Attempts, ae.RequestID
	}
	attrs = append(attrs, slog.String("state", string(state)))
	if status != 0 {
		attrs = append(attrs, slog.Int("status_code", status))
	}
	if requestID != "" {
		attrs = append(attrs, slog.String("request_id", requestID))
	}
	attrs = append(attrs, slog.Int("attempts", attempts), slog.Duration("duration", o.Duration))
	if o.Err != nil {
		attrs = append(attrs, slog.String("class", recordClass(o.Err)), slog.String("error", o.Err.Error()))
	}
	return slog.GroupValue(attrs...)
}

// String describes the report on one line: the counts, then each outcome
// as Outcome.String writes it, in order.
//
//	2 outcomes (1 ok, 1 failed, 0 unsupported): purse restrict "c1": …; cryptomus restrict "w1": …
func (r *Report) String() string {
	if r == nil {
		return "<nil>"
	}
	var b strings.Builder
	ok, failed, unsupported := r.counts()
	b.WriteString(strconv.Itoa(len(r.Outcomes)))
	if len(r.Outcomes) == 1 {
		b.WriteString(" outcome (")
	} else {
		b.WriteString(" outcomes (")
	}
	b.WriteString(strconv.Itoa(ok) + " ok, " + strconv.Itoa(failed) + " failed, " + strconv.Itoa(unsupported) + " unsupported)")
	for i, o := range r.Outcomes {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(o.String())
	}
	return b.String()
}

// LogValue gives slog the report's counts (ok, failed, unsupported) and
// its outcomes, each under its index ("0", "1", ...) as Outcome.LogValue
// gives it.
func (r *Report) LogValue() slog.Value {
	if r == nil {
		return slog.StringValue("<nil>")
	}
	ok, failed, unsupported := r.counts()
	outcomes := make([]slog.Attr, len(r.Outcomes))
	for i, o := range r.Outcomes {
		outcomes[i] = slog.Attr{Key: strconv.Itoa(i), Value: o.LogValue()}
	}
	return slog.GroupValue(
		slog.Int("ok", ok), slog.Int("failed", failed), slog.Int("unsupported", unsupported),
		slog.Attr{Key: "outcomes", Value: slog.GroupValue(outcomes...)},
	)
}

func (r *Report) counts() (ok, failed, unsupported int) {
	for _, o := range r.Outcomes {
		switch {
		case o.Err == nil:
			ok++
		case o.Unsupported():
			unsupported++
		default:
			failed++
		}
	}
	return ok, failed, unsupported
}

// roundDuration keeps a duration readable: milliseconds from one up,
// microseconds below.
func roundDuration(d time.Duration) time.Duration {
	if d >= time.Millisecond {
		return d.Round(time.Millisecond)
	}
	return d.Round(time.Microsecond)
}

// printable escapes the control characters of s (C0, DEL, C1) and turns
// invalid UTF-8 into U+FFFD, so that a provider's message cannot break or
// forge a log line.
func printable(s string) string {
	clean := utf8.ValidString(s)
	for _, r := range s {
		if unicode.IsControl(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unicode.IsControl(r) {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
