package console

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestStaticFiles(t *testing.T) {
	ts := newTestServer(t, nil)
	for file, typ := range map[string]string{
		"console.css": "text/css; charset=utf-8",
		"console.js":  "text/javascript; charset=utf-8",
	} {
		resp := ts.bearer(t, http.MethodGet, "/static/"+file, "", nil, "")
		require.Equal(t, http.StatusOK, resp.StatusCode, file)
		require.Equal(t, typ, resp.Header.Get("Content-Type"), file)
		require.Equal(t, "public, max-age=300", resp.Header.Get("Cache-Control"), file)
		require.NotEmpty(t, readAll(t, resp), file)
	}
	for _, path := range []string{"/static/nope.js", "/static/..%2Fpages.go", "/static/..%2Ftemplates%2Frun.html"} {
		resp := ts.bearer(t, http.MethodGet, path, "", nil, "")
		require.Equal(t, http.StatusNotFound, resp.StatusCode, path)
	}
}

func TestPrintStylesheetHidesNavigation(t *testing.T) {
	b, err := staticFiles.ReadFile("static/console.css")
	require.NoError(t, err)
	require.Regexp(t, `@media print \{\s*header\.top, nav, button`, string(b))
}
