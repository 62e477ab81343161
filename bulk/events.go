package bulk

import (
	"sync"
	"time"
)

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
	Result   OutcomeResult // for EventOutcome
	Class    string        // the error's class, if any
	Attempt  int           // the job attempt, from 1
	Wait     time.Duration
}

// Subscribe returns a channel of the events of jobs worked by this process
// from now on, holding up to buffer events, and a function that ends the
// subscription and closes the channel.
func (e *Engine) Subscribe(buffer int) (<-chan Event, func()) {
	return e.events.subscribe(buffer)
}

// events is the sink the worker sends its events to, and the subscribers
// it hands them on to.
type events struct {
	mu   sync.Mutex
	subs map[chan Event]struct{}
}

func (s *events) subscribe(buffer int) (<-chan Event, func()) {
	ch := make(chan Event, max(buffer, 1))
	s.mu.Lock()
	if s.subs == nil {
		s.subs = make(map[chan Event]struct{})
	}
	s.subs[ch] = struct{}{}
	s.mu.Unlock()
	return ch, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if _, ok := s.subs[ch]; ok {
			delete(s.subs, ch)
			close(ch)
		}
	}
}

func (s *events) emit(ev Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for ch := range s.subs {
		select {
		case ch <- ev:
		default: // the subscriber is behind: drop, never block a worker
		}
	}
}
