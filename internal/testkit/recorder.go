package testkit

import (
	"bytes"
	"io"
	"net/http"
	"sync"

	"github.com/jarcoal/httpmock"
)

// Responder answers one request of a mock transport; an httpmock.Responder
// is one.
type Responder = func(*http.Request) (*http.Response, error)

// Request is one request a Recorder saw: the request as sent, and its
// body, read whole (Body shadows the request's own, which is spent).
type Request struct {
	*http.Request
	Body []byte
}

// Answer is a canned reply of a Recorder.
type Answer struct {
	Status      int
	Body        string
	ContentType string // "" sends no Content-Type
	Header      http.Header
}

// Recorder keeps every request it sees, safe for concurrent use. It sees
// them as the responder of a mock transport: Wrap records in front of
// another responder, Respond answers with its own Answers.
type Recorder struct {
	mu      sync.Mutex
	reqs    []Request
	answers []Answer
}

// NewRecorder returns a Recorder whose Respond answers the n-th request
// with answers[n-1], repeating the last; with no answers, 200 and {} as
// JSON.
func NewRecorder(answers ...Answer) *Recorder {
	return &Recorder{answers: answers}
}

// record reads req's body, keeps the request and returns how many came
// before it.
func (r *Recorder) record(req *http.Request) int {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reqs = append(r.reqs, Request{Request: req, Body: body})
	return len(r.reqs) - 1
}

// Wrap records each request, then answers it with next.
func (r *Recorder) Wrap(next Responder) Responder {
	return func(req *http.Request) (*http.Response, error) {
		r.record(req)
		return next(req)
	}
}

// Respond records the request and answers it with the Recorder's answers
// in turn.
func (r *Recorder) Respond(req *http.Request) (*http.Response, error) {
	n := r.record(req)
	a := Answer{Status: http.StatusOK, Body: "{}", ContentType: "application/json"}
	if len(r.answers) > 0 {
		a = r.answers[min(n, len(r.answers)-1)]
	}
	res := httpmock.NewStringResponse(a.Status, a.Body)
	for k, vs := range a.Header {
		res.Header[k] = vs
	}
	if a.ContentType != "" {
		res.Header.Set("Content-Type", a.ContentType)
	}
	res.Request = req
	return res, nil
}

// Requests are the requests seen so far, in order.
func (r *Recorder) Requests() []Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Request(nil), r.reqs...)
}

// Count is how many requests were seen.
func (r *Recorder) Count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.reqs)
}
