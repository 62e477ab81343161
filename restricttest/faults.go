package restricttest

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Fault is one way a provider fake can misbehave, as real providers and the
// proxies in front of them do.
type Fault struct {
	// Status answers with this HTTP status instead of handling the request.
	Status int
	// Header adds answer headers, such as Retry-After.
	Header http.Header
	// Body is the answer body. With Status 0 it is sent with 200.
	Body string
	// ContentType is the answer's Content-Type; none is sent when empty.
	ContentType string
	// Delay waits before answering, or before handling the request
	// normally when nothing else is set. It ends early if the client
	// goes away.
	Delay time.Duration
	// Reset sends the status line, headers and half of Body, then closes
	// the connection: an answer lost mid-way.
	Reset bool
	// Times is how many requests the fault applies to; 0 means every
	// request until Clear.
	Times int
}

// RetryAfter is a shorthand for a Fault header of Retry-After: seconds.
func RetryAfter(seconds int) http.Header {
	return http.Header{"Retry-After": {strconv.Itoa(seconds)}}
}

// Faults queues faults for a fake server and counts the requests it sees.
// Every provider fake embeds one, so tests inject faults the same way
// everywhere. It is safe for concurrent use.
type Faults struct {
	mu       sync.Mutex
	queue    []Fault
	requests int
}

// Inject queues faults; they apply in order, each for its Times requests.
func (f *Faults) Inject(faults ...Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queue = append(f.queue, faults...)
}

// Clear removes every queued fault.
func (f *Faults) Clear() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queue = nil
}

// Requests counts the requests received so far, faulty or not.
func (f *Faults) Requests() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests
}

func (f *Faults) next() (Fault, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests++
	if len(f.queue) == 0 {
		return Fault{}, false
	}
	flt := f.queue[0]
	switch {
	case flt.Times == 0:
	case flt.Times == 1:
		f.queue = f.queue[1:]
	default:
		f.queue[0].Times--
	}
	return flt, true
}

// Wrap returns a handler that applies the next queued fault, if any, and
// otherwise hands the request to next.
func (f *Faults) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		flt, ok := f.next()
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		if flt.Delay > 0 {
			// net/http notices a client that went away only once the
			// request body has been read; read it so the wait can end early.
			// The handler gets it back below.
			body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
			r.Body = io.NopCloser(bytes.NewReader(body))
			t := time.NewTimer(flt.Delay)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		if flt.Status == 0 && flt.Body == "" && !flt.Reset && flt.Header == nil {
			next.ServeHTTP(w, r)
			return
		}
		for k, vs := range flt.Header {
			w.Header()[k] = vs
		}
		if flt.ContentType != "" {
			w.Header().Set("Content-Type", flt.ContentType)
		}
		status := flt.Status
		if status == 0 {
			status = http.StatusOK
		}
		if flt.Reset {
			reset(w, status, flt.Body)
			return
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(flt.Body)))
		w.WriteHeader(status)
		_, _ = w.Write([]byte(flt.Body))
	})
}

// reset promises the whole body, sends half of it and drops the connection.
func reset(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Length", strconv.Itoa(len(body)+1))
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body[:len(body)/2]))
	if fl, ok := w.(http.Flusher); ok {
		fl.Flush()
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}
