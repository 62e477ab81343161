package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict/internal/fleet"
	"github.com/restrictkit/restrict/internal/testkit"
)

const (
	serveOperatorToken = "ada-operator-token-0123456789abcdefghijklmn"
	serveViewerToken   = "vic-viewer-token-0123456789abcdefghijklmnop"
)

var servingAt = regexp.MustCompile(`serving the console on (https?://[0-9.:]+) `)

// serving starts "restrict serve" in this process and returns its base
// URL and a function that stops it as SIGTERM does and returns its
// outcome.
func (o *operator) serving(args ...string) (string, func() outcome) {
	o.t.Helper()
	o.watch = &testkit.SyncBuffer{}
	ctx, cancel := context.WithCancelCause(context.Background())
	done := make(chan outcome, 1)
	go func() { done <- o.mainContext(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...) }()
	var base string
	require.Eventually(o.t, func() bool {
		select {
		case out := <-done:
			o.t.Fatalf("serve ended: %d\n%s", out.code, out.stderr)
		default:
		}
		m := servingAt.FindStringSubmatch(o.watch.String())
		if m != nil {
			base = m[1]
		}
		return m != nil
	}, 60*time.Second, 20*time.Millisecond)
	stopped := false
	stop := func() outcome {
		stopped = true
		cancel(errInterrupted)
		return <-done
	}
	o.t.Cleanup(func() {
		if !stopped {
			stop()
		}
	})
	return base, stop
}

// call sends a request with a bearer token and decodes a JSON answer.
func call(t *testing.T, method, url, token, contentType, body string, into any) int {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	if into != nil {
		require.NoError(t, json.Unmarshal(b, into), "%s", b)
	}
	return resp.StatusCode
}

// TestServeSession is the README's session: the fakes, restrict serve on
// the embedded default, a run submitted over the API and worked to the
// end by the server, a webhook from "restrict fakes webhook" flagged on
// the subject, then a graceful stop.
func TestServeSession(t *testing.T) {
	o := newOperator(t)
	o.fakes(20)
	o.env["RESTRICT_CONSOLE_TOKENS"] = "ada:operator:" + serveOperatorToken + ",vic:viewer:" + serveViewerToken
	base, stop := o.serving()

	csv, err := os.ReadFile(o.path("subjects.csv"))
	require.NoError(t, err)
	var created struct {
		Run struct {
			Name        string `json:"name"`
			SubmittedBy string `json:"submitted_by"`
		} `json:"run"`
	}
	require.Equal(t, http.StatusForbidden, call(t, "POST", base+"/api/v1/runs?action=restrict&reason=sanctions", serveViewerToken, "text/csv", string(csv), nil))
	require.Equal(t, http.StatusCreated, call(t, "POST", base+"/api/v1/runs?action=restrict&reason=sanctions", serveOperatorToken, "text/csv", string(csv), &created))
	assert.Equal(t, "ada", created.Run.SubmittedBy)
	name := created.Run.Name

	var got struct {
		Run struct {
			FinishedAt string `json:"finished_at"`
		} `json:"run"`
		Progress struct {
			All struct{ OK, Total int64 } `json:"all"`
		} `json:"progress"`
	}
	require.Eventually(t, func() bool {
		require.Equal(t, http.StatusOK, call(t, "GET", base+"/api/v1/runs/"+name, serveViewerToken, "", "", &got))
		return got.Run.FinishedAt != ""
	}, 60*time.Second, 50*time.Millisecond)
	assert.Equal(t, int64(100), got.Progress.All.Total)
	assert.Equal(t, got.Progress.All.Total, got.Progress.All.OK)

	// Money for a restricted customer, as Calypso reports it.
	purseID := o.firstID(t, "purse")
	sent := o.main("fakes", "webhook", "--to", base, "--provider", "purse", "--target", purseID, "--amount", "25", "--currency", "USDT")
	require.Equal(t, 0, sent.code, sent.stderr)
	var subject struct {
		Events []struct {
			FundsAfterRestriction bool   `json:"funds_after_restriction"`
			RestrictedBy          string `json:"restricted_by"`
		} `json:"events"`
	}
	require.Equal(t, http.StatusOK, call(t, "GET", base+"/api/v1/subjects/"+o.subjectOf(t, "purse", purseID), serveViewerToken, "", "", &subject))
	require.Len(t, subject.Events, 1)
	assert.True(t, subject.Events[0].FundsAfterRestriction)
	assert.Equal(t, name, subject.Events[0].RestrictedBy)

	// No token and no provider credential in any answer, in the output or
	// in the database.
	var answers strings.Builder
	for _, path := range []string{"/api/v1/runs", "/api/v1/runs/" + name, "/api/v1/runs/" + name + "/outcomes?limit=1000",
		"/api/v1/subjects/" + o.subjectOf(t, "purse", purseID), "/api/v1/limits", "/api/v1/openapi.json", "/metrics"} {
		require.Equal(t, http.StatusOK, callRaw(t, base+path, serveViewerToken, &answers), path)
	}
	out := stop()
	assert.Equal(t, 0, out.code, out.stderr)
	assert.Contains(t, out.stderr, "restrict: stopped")
	db, err := os.ReadFile(o.path("restrict.db"))
	require.NoError(t, err)
	wal, _ := os.ReadFile(o.path("restrict.db-wal"))
	secrets := []string{serveOperatorToken, serveViewerToken}
	for _, p := range fleet.Providers {
		for _, v := range p.Vars {
			if v.Secret && o.env[p.Env(v.Name)] != "" {
				secrets = append(secrets, o.env[p.Env(v.Name)])
			}
		}
	}
	require.Greater(t, len(secrets), 2)
	everything := answers.String() + out.stderr + out.stdout + sent.stdout + sent.stderr + string(db) + string(wal)
	for _, secret := range secrets {
		assert.NotContains(t, everything, secret)
	}
}

// callRaw GETs url with a bearer token and appends the answer to all.
func callRaw(t *testing.T, url, token string, all *strings.Builder) int {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	all.Write(b)
	return resp.StatusCode
}

// firstID is the first subject's ID at provider in subjects.csv.
func (o *operator) firstID(t *testing.T, provider string) string {
	t.Helper()
	lines := o.subjectLines()
	header := strings.Split(lines[0], ",")
	for i, h := range header {
		if h == provider {
			return strings.Split(lines[1], ",")[i]
		}
	}
	t.Fatalf("no %s column", provider)
	return ""
}

// subjectOf is the key of the subject whose ID at provider is id.
func (o *operator) subjectOf(t *testing.T, provider, id string) string {
	t.Helper()
	for _, l := range o.subjectLines()[1:] {
		if strings.Contains(l, ","+id) {
			return strings.Split(l, ",")[0]
		}
	}
	t.Fatalf("no subject has %s", id)
	return ""
}

// TestServeRefusesBeforeListening: what restrict serve cannot do right is
// refused (exit 2) before it listens, naming what to fix and never a
// token.
func TestServeRefusesBeforeListening(t *testing.T) {
	short := "ada:operator:short-token"
	cases := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"no token", nil, nil, "RESTRICT_CONSOLE_TOKENS"},
		{"short token", map[string]string{"RESTRICT_CONSOLE_TOKENS": short}, nil, "32 characters"},
		{"beyond loopback without TLS", map[string]string{"RESTRICT_CONSOLE_TOKENS": "ada:operator:" + serveOperatorToken}, []string{"--addr", "0.0.0.0:0"}, "--tls-cert"},
		{"half of TLS", map[string]string{"RESTRICT_CONSOLE_TOKENS": "ada:operator:" + serveOperatorToken}, []string{"--tls-cert", "cert.pem"}, "--tls-key"},
		{"a tokens file others can read", nil, []string{"--tokens-file", "TOKENS"}, "chmod 600"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := newOperator(t)
			for k, v := range c.env {
				o.env[k] = v
			}
			args := []string{"serve"}
			for _, a := range c.args {
				if a == "TOKENS" {
					a = o.write("tokens", "ada:operator:"+serveOperatorToken+"\n")
					require.NoError(t, os.Chmod(a, 0o644))
				}
				args = append(args, a)
			}
			out := o.main(args...)
			assert.Equal(t, exitUsage, out.code, out.stderr)
			assert.Contains(t, out.stderr, c.want)
			assert.NotContains(t, out.stderr, serveOperatorToken)
			assert.NotContains(t, out.stderr, "short-token")
			assert.NotContains(t, out.stderr, "serving the console")
		})
	}
}

// TestServeRiverUIOnPostgres: on Postgres, River's own UI is served to a
// signed-in operator under /river, and to nobody else.
func TestServeRiverUIOnPostgres(t *testing.T) {
	o := newOperator(t)
	o.env["RESTRICT_DB"] = testkit.WithSearchPath(testkit.PostgresSchema(t, "serve_test_"))
	o.env["RESTRICT_CONSOLE_TOKENS"] = "ada:operator:" + serveOperatorToken + ",vic:viewer:" + serveViewerToken
	base, _ := o.serving("--no-work")
	jar := func(token string) *http.Client {
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := c.PostForm(base+"/login", url.Values{"token": {token}})
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusSeeOther, resp.StatusCode)
		var cookies []*http.Cookie
		cookies = append(cookies, resp.Cookies()...)
		require.NotEmpty(t, cookies)
		c.Transport = cookieTransport{cookies}
		return c
	}
	get := func(c *http.Client, path string) (int, string) {
		resp, err := c.Get(base + path)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	status, body := get(jar(serveOperatorToken), "/river/")
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, "<title>River</title>")
	status, _ = get(jar(serveViewerToken), "/river/")
	assert.Equal(t, http.StatusForbidden, status)
	status, _ = get(&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}, "/river/")
	assert.Equal(t, http.StatusSeeOther, status)
}

// cookieTransport sends its cookies with every request.
type cookieTransport struct{ cookies []*http.Cookie }

func (c cookieTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	for _, k := range c.cookies {
		r.AddCookie(k)
	}
	return http.DefaultTransport.RoundTrip(r)
}

// TestServeOverTLS: with --tls-cert and --tls-key the console is served
// over HTTPS, its session cookie is Secure and HSTS is sent.
func TestServeOverTLS(t *testing.T) {
	o := newOperator(t)
	o.env["RESTRICT_CONSOLE_TOKENS"] = "ada:operator:" + serveOperatorToken
	certPEM, keyPEM := selfSigned(t)
	cert, key := o.write("cert.pem", string(certPEM)), o.write("key.pem", string(keyPEM))
	base, stop := o.serving("--tls-cert", cert, "--tls-key", key)
	require.True(t, strings.HasPrefix(base, "https://"), base)
	pool := x509.NewCertPool()
	require.True(t, pool.AppendCertsFromPEM(certPEM))
	c := &http.Client{
		Transport:     &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err := c.PostForm(base+"/login", url.Values{"token": {serveOperatorToken}})
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.NotEmpty(t, resp.Cookies())
	for _, k := range resp.Cookies() {
		assert.True(t, k.Secure, k.Name)
	}
	assert.NotEmpty(t, resp.Header.Get("Strict-Transport-Security"))
	out := stop()
	assert.Equal(t, 0, out.code, out.stderr)
}

// selfSigned makes a certificate for 127.0.0.1 and its key, in PEM.
func selfSigned(t *testing.T) (certPEM, keyPEM []byte) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "restrict test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	require.NoError(t, err)
	kd, err := x509.MarshalECPrivateKey(k)
	require.NoError(t, err)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kd})
}

// TestServeNoWorkLeavesTheJobs: with --no-work the server submits runs and
// works none of them; a worker does.
func TestServeNoWorkLeavesTheJobs(t *testing.T) {
	o := newOperator(t)
	o.fakes(5)
	o.env["RESTRICT_CONSOLE_TOKENS"] = "ada:operator:" + serveOperatorToken
	base, stop := o.serving("--no-work")
	assert.Contains(t, o.watch.String(), "not working jobs (--no-work)")
	csv, err := os.ReadFile(o.path("subjects.csv"))
	require.NoError(t, err)
	var created struct {
		Run struct{ Name string } `json:"run"`
	}
	require.Equal(t, http.StatusCreated, call(t, "POST", base+"/api/v1/runs?action=status", serveOperatorToken, "text/csv", string(csv), &created))
	var got struct {
		Progress struct {
			All struct{ Pending, Total int64 } `json:"all"`
		} `json:"progress"`
	}
	// Absence takes a while to show: a working server would have
	// finished these 25 jobs well within it.
	assert.Never(t, func() bool {
		require.Equal(t, http.StatusOK, call(t, "GET", base+"/api/v1/runs/"+created.Run.Name, serveOperatorToken, "", "", &got))
		return got.Progress.All.Pending < got.Progress.All.Total
	}, 2*time.Second, 100*time.Millisecond)
	out := stop()
	require.Equal(t, 0, out.code, out.stderr)

	// A worker takes them: they were left, not lost.
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	o.watch = &testkit.SyncBuffer{}
	done := make(chan outcome, 1)
	go func() { done <- o.mainContext(ctx, "worker") }()
	require.Eventually(t, func() bool {
		out := o.main("runs", "--format", "json")
		return strings.Contains(out.stdout, `"finished_at"`)
	}, 60*time.Second, 100*time.Millisecond)
	cancel(errInterrupted)
	assert.Equal(t, 0, (<-done).code)
}
