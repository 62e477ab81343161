package console

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/restrictkit/restrict/bulk"
	"github.com/stretchr/testify/require"
)

func TestSubjectPageShowsEveryRun(t *testing.T) {
	ts := newTestServer(t, nil)
	subject := bulk.Subject{Key: hostileKey, IDs: map[string]string{"cryptomus": "hostile", "purse": purseID(99)}}
	ts.finishedRun(t, "one", []bulk.Subject{subject})
	ts.finishedRun(t, "two", testSubjects(1, subject))

	status, body := ts.get(t, "/subjects/"+url.PathEscape(hostileKey), viewerToken)
	require.Equal(t, http.StatusOK, status, body)
	require.NotContains(t, body, "<script>alert")
	require.Contains(t, body, `<h1 id="subject">&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;</h1>`)
	require.Contains(t, body, `id="subject-outcomes"`)
	require.Equal(t, 4, strings.Count(body, `<tr class="outcome">`), "two runs, two providers")
	require.Contains(t, body, `href="/runs/one"`)
	require.Contains(t, body, `href="/runs/two"`)
	require.NotContains(t, body, "key-0000")
}

func TestUnknownSubjectIsNotFound(t *testing.T) {
	ts := newTestServer(t, nil)
	status, _ := ts.get(t, "/subjects/nobody", viewerToken)
	require.Equal(t, http.StatusNotFound, status)
}
