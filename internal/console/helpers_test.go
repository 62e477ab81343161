package console

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/bulk"
	"github.com/restrictkit/restrict/internal/fleet"
	"github.com/restrictkit/restrict/restricttest"
	"github.com/stretchr/testify/require"
)

// The tokens of every test server: 40 characters each, as a real one
// would be at least 32.
const (
	viewerToken   = "viewer-token-0123456789abcdefghijklmnopq"
	operatorToken = "operator-token-0123456789abcdefghijklmno"
)

// testServer is a console over a SQLite engine in a temporary folder,
// working jobs against restricttest fakes of two providers.
type testServer struct {
	*httptest.Server
	srv    *Server
	engine *bulk.Engine
	fakes  map[string]*restricttest.Fake
	// db is the SQLite file of the engine, for tests that read it raw.
	db string
}

// testProviders are the providers a test server has, with the fleet's ID
// rules.
var testProviders = []string{"cryptomus", "purse"}

// newTestServer starts a console; edit, when given, changes the Config
// before the server is built.
func newTestServer(t *testing.T, edit func(*Config)) *testServer {
	t.Helper()
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "restrict.db")
	e, err := bulk.Open(ctx, db, bulk.Config{})
	require.NoError(t, err)
	ts := &testServer{engine: e, fakes: map[string]*restricttest.Fake{}, db: db}
	for _, name := range testProviders {
		p, ok := fleet.Lookup(name)
		require.True(t, ok, name)
		f := &restricttest.Fake{Provider: name, CheckID: p.CheckTargetID}
		ts.fakes[name] = f
		require.NoError(t, e.Register(name, f, bulk.Limits{}))
	}
	require.NoError(t, e.Start(ctx))
	cfg := Config{
		Engine:    e,
		Providers: testProviders,
		Tokens: []Token{
			{Name: "vera", Role: RoleViewer, Secret: restrict.Secret(viewerToken)},
			{Name: "otto", Role: RoleOperator, Secret: restrict.Secret(operatorToken)},
		},
		Ready: e.Ping,
	}
	if edit != nil {
		edit(&cfg)
	}
	ts.srv, err = New(cfg)
	require.NoError(t, err)
	ts.Server = httptest.NewServer(ts.srv)
	t.Cleanup(func() {
		ts.Server.Close()
		stop, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		_ = e.Stop(stop)
		_ = e.Close()
	})
	return ts
}

// bearer sends a request with token as its bearer token ("" for none)
// and body (nil for none) of type contentType.
func (ts *testServer) bearer(t *testing.T, method, path, token string, body io.Reader, contentType string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, ts.URL+path, body)
	require.NoError(t, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := ts.Client().Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}
