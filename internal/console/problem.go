package console

import (
	"encoding/json"
	"net/http"
)

// problemBase prefixes every problem type: a stable URI per kind of
// refusal, listed in the OpenAPI document.
const problemBase = "urn:restrict:problem:"

// problem is an RFC 9457 problem document, the one shape of every API
// error.
type problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
	// Errors lists each problem of a refused submission with its place.
	Errors []fieldProblem `json:"errors,omitempty"`
}

// fieldProblem is one problem of a request: where (a CSV line and column,
// or a JSON pointer into the body) and what.
type fieldProblem struct {
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Pointer string `json:"pointer,omitempty"`
	Message string `json:"message"`
}

// writeProblem answers with a problem document of type slug.
func writeProblem(w http.ResponseWriter, status int, slug, title, detail string, errs ...fieldProblem) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(problem{Type: problemBase + slug, Title: title, Status: status, Detail: detail, Errors: errs})
}
