package bulk

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/restrictkit/restrict"
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
// an event of that ID was stored already, and then nothing of ev is
// written (a replay cannot change what was received). An event needs an
// ID and a valid provider name; a zero ReceivedAt is taken as now.
func (e *Engine) RecordWebhookEvent(ctx context.Context, ev WebhookEvent) (stored bool, err error) {
	if ev.ID == "" {
		return false, errors.New("bulk: webhook event: ID is required")
	}
	if err := validProvider(ev.Provider); err != nil {
		return false, fmt.Errorf("bulk: webhook event: %w", err)
	}
	for _, v := range append([]string{ev.ID, ev.Type, ev.Amount, ev.Currency, ev.Status}, ev.Targets...) {
		if err := checkText(v); err != nil {
			return false, fmt.Errorf("bulk: webhook event %s: %w", quoteKey(ev.ID), err)
		}
	}
	if ev.ReceivedAt.IsZero() {
		ev.ReceivedAt = time.Now()
	}
	funds := 0
	if ev.Funds {
		funds = 1
	}
	err = e.st.inTx(ctx, func(t execer) error {
		n, err := t.exec(ctx, e.st.bind(`INSERT INTO {p}restrict_bulk_webhook_event (id, provider, type, amount, currency, status, funds, received_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`),
			ev.ID, ev.Provider, ev.Type, ev.Amount, ev.Currency, ev.Status, funds, ev.ReceivedAt.UTC())
		if err != nil || n == 0 {
			return err
		}
		stored = true
		for _, target := range ev.Targets {
			if target == "" {
				continue
			}
			if _, err := t.exec(ctx, e.st.bind(`INSERT INTO {p}restrict_bulk_webhook_target (event_id, provider, target)
				VALUES (?, ?, ?) ON CONFLICT (event_id, target) DO NOTHING`), ev.ID, ev.Provider, target); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("bulk: webhook event %s: %w", quoteKey(ev.ID), err)
	}
	return stored, nil
}

// SubjectEvents reads the webhook events linked to the subject key,
// oldest first.
func (e *Engine) SubjectEvents(ctx context.Context, key string) ([]SubjectEvent, error) {
	return e.read.subjectEvents(ctx, key)
}

// RunEvents reads the webhook events linked to the run's subjects,
// oldest first.
func (e *Engine) RunEvents(ctx context.Context, run string) ([]SubjectEvent, error) {
	return e.read.runEvents(ctx, run)
}

// SubjectEvents reads the webhook events linked to the subject key, as
// Engine.SubjectEvents does.
func (r *Reader) SubjectEvents(ctx context.Context, key string) ([]SubjectEvent, error) {
	return r.read.subjectEvents(ctx, key)
}

// RunEvents reads the webhook events linked to the run's subjects, as
// Engine.RunEvents does.
func (r *Reader) RunEvents(ctx context.Context, run string) ([]SubjectEvent, error) {
	return r.read.runEvents(ctx, run)
}

// link is one (event, subject, provider, target) before its event is read.
type link struct {
	event, subject, provider, target string
}

func (r reader) subjectEvents(ctx context.Context, key string) ([]SubjectEvent, error) {
	history, err := r.subjectOutcomes(ctx, key)
	if err != nil {
		return nil, err
	}
	seen := make(map[[2]string]bool)
	var links []link
	for _, o := range history {
		pt := [2]string{o.Provider, o.Target}
		if seen[pt] {
			continue
		}
		seen[pt] = true
		err := r.query(ctx, `SELECT event_id FROM {p}restrict_bulk_webhook_target WHERE provider = ? AND target = ?`,
			[]any{o.Provider, o.Target}, func(scan func(...any) error) error {
				l := link{subject: key, provider: o.Provider, target: o.Target}
				links = append(links, l)
				return scan(&links[len(links)-1].event)
			})
		if err != nil {
			return nil, fmt.Errorf("bulk: subject events: %w", err)
		}
	}
	return r.resolve(ctx, links, map[string][]Outcome{key: history})
}

// runEvents finds the run's links in one query, joining the run's
// outcomes to the events' targets by (provider, target). It starts from
// the smaller side: from each target of an event into the run's outcomes
// (restrict_bulk_outcome_target) when there are fewer targets than the
// run has jobs, else from each outcome of the run into the targets
// (restrict_bulk_webhook_target_lookup). CROSS JOIN makes SQLite, which
// has no statistics of the webhook tables, keep that order; Postgres
// plans it from its own.
func (r reader) runEvents(ctx context.Context, run string) ([]SubjectEvent, error) {
	var jobs, targets int64
	err := r.db.QueryRowContext(ctx, r.sq.bind(`SELECT COALESCE((SELECT jobs FROM {p}restrict_bulk_run WHERE name = ?), 0),
		(SELECT count(*) FROM {p}restrict_bulk_webhook_target)`), run).Scan(&jobs, &targets)
	if err != nil {
		return nil, fmt.Errorf("bulk: run events: %w", err)
	}
	from := `{p}restrict_bulk_outcome o CROSS JOIN {p}restrict_bulk_webhook_target t`
	if targets < jobs {
		from = `{p}restrict_bulk_webhook_target t CROSS JOIN {p}restrict_bulk_outcome o`
	}
	var links []link
	err = r.query(ctx, `SELECT t.event_id, o.subject, o.provider, o.target FROM `+from+`
		WHERE t.provider = o.provider AND t.target = o.target AND o.run = ?`, []any{run}, func(scan func(...any) error) error {
		var l link
		if err := scan(&l.event, &l.subject, &l.provider, &l.target); err != nil {
			return err
		}
		links = append(links, l)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("bulk: run events: %w", err)
	}
	histories := make(map[string][]Outcome)
	for _, l := range links {
		if _, ok := histories[l.subject]; ok {
			continue
		}
		h, err := r.subjectOutcomes(ctx, l.subject)
		if err != nil {
			return nil, err
		}
		histories[l.subject] = h
	}
	return r.resolve(ctx, links, histories)
}

// resolve reads the links' events and says, from each subject's outcomes
// in every run (histories), whether its target was restricted when the
// event was received.
func (r reader) resolve(ctx context.Context, links []link, histories map[string][]Outcome) ([]SubjectEvent, error) {
	events := make(map[string]*WebhookEvent)
	out := make([]SubjectEvent, 0, len(links))
	for _, l := range links {
		ev := events[l.event]
		if ev == nil {
			var err error
			if ev, err = r.webhookEvent(ctx, l.event); err != nil {
				return nil, err
			}
			events[l.event] = ev
		}
		se := SubjectEvent{Event: *ev, Subject: l.subject, Provider: l.provider, Target: l.target}
		se.RestrictedBy, se.RestrictedAt = restrictedAt(histories[l.subject], l.provider, ev.ReceivedAt)
		se.FundsAfterRestriction = ev.Funds && se.RestrictedBy != ""
		out = append(out, se)
	}
	slices.SortFunc(out, func(a, b SubjectEvent) int {
		return cmp.Or(a.Event.ReceivedAt.Compare(b.Event.ReceivedAt), cmp.Compare(a.Event.ID, b.Event.ID),
			cmp.Compare(a.Subject, b.Subject), cmp.Compare(a.Provider, b.Provider), cmp.Compare(a.Target, b.Target))
	})
	return out, nil
}

// restrictedAt finds the last successful restrict or lift at provider
// that finished before at, among a subject's outcomes: when it is a
// restrict, the subject was restricted then, by that run. A status run
// changes nothing, and a failed restrict restricted nothing.
func restrictedAt(history []Outcome, provider string, at time.Time) (string, time.Time) {
	var last *Outcome
	for i := range history {
		o := &history[i]
		if o.Provider != provider || o.Result != ResultOK || o.FinishedAt.IsZero() || !o.FinishedAt.Before(at) {
			continue
		}
		if o.Op != restrict.OpRestrict && o.Op != restrict.OpLift {
			continue
		}
		if last == nil || !o.FinishedAt.Before(last.FinishedAt) {
			last = o
		}
	}
	if last == nil || last.Op != restrict.OpRestrict {
		return "", time.Time{}
	}
	return last.Run, last.FinishedAt
}

func (r reader) webhookEvent(ctx context.Context, id string) (*WebhookEvent, error) {
	ev := &WebhookEvent{ID: id, Targets: []string{}}
	var funds int
	var received dbTime
	err := r.db.QueryRowContext(ctx, r.sq.bind(`SELECT provider, type, amount, currency, status, funds, received_at
		FROM {p}restrict_bulk_webhook_event WHERE id = ?`), id).
		Scan(&ev.Provider, &ev.Type, &ev.Amount, &ev.Currency, &ev.Status, &funds, &received)
	if err == nil {
		ev.Funds, ev.ReceivedAt = funds != 0, received.t
		err = r.query(ctx, `SELECT target FROM {p}restrict_bulk_webhook_target WHERE event_id = ? ORDER BY target`,
			[]any{id}, func(scan func(...any) error) error {
				var t string
				if err := scan(&t); err != nil {
					return err
				}
				ev.Targets = append(ev.Targets, t)
				return nil
			})
	}
	if err != nil {
		return nil, fmt.Errorf("bulk: webhook event %s: %w", quoteKey(id), err)
	}
	return ev, nil
}

// query runs q (bound for the database) and calls row for each row.
func (r reader) query(ctx context.Context, q string, args []any, row func(scan func(...any) error) error) error {
	rows, err := r.db.QueryContext(ctx, r.sq.bind(q), args...)
	return eachRow(rows, err, row)
}
