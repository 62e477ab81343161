package bulk

import (
	"context"
	"time"
)

// WebhookEvent is a provider's webhook, verified by the provider's
// VerifyWebhook and stored once: what it says about one of the provider's
// targets.
type WebhookEvent struct {
	// ID identifies the event: the same event posted again (a replay, a
	// provider's retry) has the same ID and is stored once.
	ID       string `json:"id"`
	Provider string `json:"provider"`
	// Type is the provider's own event type ("wallet", or
	// CUSTOMER_PURSE_FUNDS_RECEIVED_FOR_PURSE).
	Type string `json:"type"`
	// Targets are the IDs at the provider the event concerns, in the
	// forms a subjects file may give them (a wallet's UUID and its order
	// ID, a customer's ID).
	Targets  []string `json:"targets"`
	Amount   string   `json:"amount,omitempty"`
	Currency string   `json:"currency,omitempty"`
	Status   string   `json:"status,omitempty"`
	// Funds says that the event reports money received.
	Funds      bool      `json:"funds"`
	ReceivedAt time.Time `json:"received_at"`
}

// SubjectEvent is a webhook event linked to a subject whose target at the
// event's provider it concerns.
type SubjectEvent struct {
	Event    WebhookEvent `json:"event"`
	Subject  string       `json:"subject"`
	Provider string       `json:"provider"`
	Target   string       `json:"target"`
	// RestrictedBy and RestrictedAt name the last run that restricted the
	// target successfully before the event was received (and was not
	// lifted since); empty when it was not restricted then.
	RestrictedBy string    `json:"restricted_by,omitempty"`
	RestrictedAt time.Time `json:"restricted_at,omitzero"`
	// FundsAfterRestriction flags money received after the target was
	// restricted: Event.Funds, received while restricted.
	FundsAfterRestriction bool `json:"funds_after_restriction"`
}

// RecordWebhookEvent stores a verified event once: stored is false when
// an event of that ID was stored already.
func (e *Engine) RecordWebhookEvent(ctx context.Context, ev WebhookEvent) (stored bool, err error) {
	return false, errNotYet
}

// SubjectEvents reads the webhook events linked to the subject key,
// oldest first.
func (e *Engine) SubjectEvents(ctx context.Context, key string) ([]SubjectEvent, error) {
	return nil, errNotYet
}

// RunEvents reads the webhook events linked to the run's subjects,
// oldest first.
func (e *Engine) RunEvents(ctx context.Context, run string) ([]SubjectEvent, error) {
	return nil, errNotYet
}
