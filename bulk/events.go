package bulk

import "time"

// EventKind says what an Event reports.
type EventKind string

// The kinds of events.
const (
	// EventOutcome: a job ended and its outcome was journaled.
	EventOutcome EventKind = "outcome"
	// EventRetry: the provider was unavailable; the job will be retried.
	EventRetry EventKind = "retry"
	// EventSnoozed: the provider asked to slow down; the job waits Wait.
	EventSnoozed EventKind = "snoozed"
)

// Event is something that happened to a job worked in this process. Events
// are for live display: the journal is the record, and a subscriber that
// falls behind loses events rather than slowing the workers down.
type Event struct {
	Kind     EventKind
	Run      string
	Subject  string
	Provider string
	Result   Result // for EventOutcome
	Class    string // the error's class, if any
	Attempt  int    // the job attempt, from 1
	Wait     time.Duration
}

// Subscribe returns a channel of the events of jobs worked by this process
// from now on, holding up to buffer events, and a function that ends the
// subscription and closes the channel.
func (e *Engine) Subscribe(buffer int) (<-chan Event, func()) {
	ch := make(chan Event, max(buffer, 1))
	e.mu.Lock()
	e.subs[ch] = struct{}{}
	e.mu.Unlock()
	return ch, func() {
		e.mu.Lock()
		defer e.mu.Unlock()
		if _, ok := e.subs[ch]; ok {
			delete(e.subs, ch)
			close(ch)
		}
	}
}

func (e *Engine) emit(ev Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for ch := range e.subs {
		select {
		case ch <- ev:
		default: // the subscriber is behind: drop, never block a worker
		}
	}
}
