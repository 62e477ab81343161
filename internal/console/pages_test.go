package console

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestErrorPage(t *testing.T) {
	ts := newTestServer(t, nil)
	for status, message := range map[int]string{
		http.StatusNotFound:  "No such page.",
		http.StatusForbidden: "Only an operator may do this <now>.",
	} {
		w := httptest.NewRecorder()
		ts.srv.errorPage(w, httptest.NewRequest(http.MethodGet, "/x", nil), &principal{Name: "vera", Role: RoleViewer}, status, message)
		require.Equal(t, status, w.Code)
		require.Equal(t, "text/html; charset=utf-8", w.Header().Get("Content-Type"))
		body := w.Body.String()
		require.Contains(t, body, http.StatusText(status))
		require.Contains(t, body, `id="who"`)
		require.NotContains(t, body, "<now>")
	}
}
