package console

import (
	"net/http"

	"github.com/restrictkit/restrict/docs"
)

// apiOpenAPI serves the API's OpenAPI document, docs/openapi.json: the
// one copy a reader opens and the test checks against the handlers.
func (s *Server) apiOpenAPI(w http.ResponseWriter, _ *http.Request, _ *principal) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(docs.OpenAPI)
}
