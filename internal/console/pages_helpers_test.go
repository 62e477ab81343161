package console

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/bulk"
	"github.com/stretchr/testify/require"
)

// get reads path with token and returns the status and the body.
func (ts *testServer) get(t *testing.T, path, token string) (int, string) {
	t.Helper()
	resp := ts.bearer(t, http.MethodGet, path, token, nil, "")
	return resp.StatusCode, readAll(t, resp)
}

// purseID is the i-th subject's purse ID: a UUID, as purse's rule wants.
func purseID(i int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", i) }

// testSubjects are n subjects key-0000, ... with an ID at both providers,
// and the extra ones.
func testSubjects(n int, extra ...bulk.Subject) []bulk.Subject {
	out := make([]bulk.Subject, 0, n+len(extra))
	for i := range n {
		out = append(out, bulk.Subject{Key: fmt.Sprintf("key-%04d", i), IDs: map[string]string{
			"cryptomus": fmt.Sprintf("order-%d", i), "purse": purseID(i),
		}})
	}
	return append(out, extra...)
}

// finishedRun submits subjects as run name, submitted by otto, and waits
// until it is finished.
func (ts *testServer) finishedRun(t *testing.T, name string, subjects []bulk.Subject) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	_, err := ts.engine.Submit(ctx, bulk.Run{Name: name, Op: restrict.OpRestrict, Reason: "sanctions list", SubmittedBy: "otto"}, bulk.Subjects(subjects...))
	require.NoError(t, err)
	_, err = ts.engine.Wait(ctx, name)
	require.NoError(t, err)
}

// errNotFound is the error a fake returns for a target the provider does
// not know.
var errNotFound = fmt.Errorf("%w: no such customer", restrict.ErrNotFound)

// subjectWithKey is a subject called key with an ID at cryptomus.
func subjectWithKey(key string) bulk.Subject {
	return bulk.Subject{Key: key, IDs: map[string]string{"cryptomus": "only-cryptomus"}}
}

// readAll reads resp's body.
func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}

// table is the table of id in body.
func table(t *testing.T, body, id string) string {
	t.Helper()
	i := strings.Index(body, `<table id="`+id+`"`)
	require.GreaterOrEqual(t, i, 0, "no table %s", id)
	j := strings.Index(body[i:], "</table>")
	require.GreaterOrEqual(t, j, 0)
	return body[i : i+j]
}
