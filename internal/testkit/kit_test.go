package testkit_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/testkit"
)

func post(t *testing.T, hc *http.Client, body string) *http.Response {
	t.Helper()
	resp, err := hc.Post("https://provider.example/v1/x?a=1", "application/json", strings.NewReader(body))
	require.NoError(t, err)
	t.Cleanup(func() { _ = resp.Body.Close() })
	return resp
}

// Respond answers in turn, repeating the last answer, and keeps every
// request with its body.
func TestRecorderRespondsInTurn(t *testing.T) {
	t.Parallel()
	rec := testkit.NewRecorder(
		testkit.Answer{Status: 503, Body: "busy"},
		testkit.Answer{Status: 200, Body: `{"ok":true}`, ContentType: "application/json", Header: http.Header{"X-Id": {"7"}}},
	)
	mt := httpmock.NewMockTransport()
	mt.RegisterNoResponder(rec.Respond)
	hc := &http.Client{Transport: mt}
	var codes []int
	for i := range 3 {
		resp := post(t, hc, fmt.Sprintf(`{"n":%d}`, i))
		codes = append(codes, resp.StatusCode)
		if i == 0 {
			require.Empty(t, resp.Header.Get("Content-Type"), "no ContentType sends none")
		} else {
			require.Equal(t, "application/json", resp.Header.Get("Content-Type"))
			require.Equal(t, "7", resp.Header.Get("X-Id"))
		}
	}
	require.Equal(t, []int{503, 200, 200}, codes)
	require.Equal(t, 3, rec.Count())
	reqs := rec.Requests()
	require.Equal(t, `{"n":2}`, string(reqs[2].Body))
	require.Equal(t, http.MethodPost, reqs[0].Method)
	require.Equal(t, "/v1/x", reqs[0].URL.Path)
	require.Equal(t, "a=1", reqs[0].URL.RawQuery)
	require.Equal(t, "application/json", reqs[0].Header.Get("Content-Type"))
}

// With no answers, Respond answers 200 and {} as JSON.
func TestRecorderDefaultAnswer(t *testing.T) {
	t.Parallel()
	rec := testkit.NewRecorder()
	mt := httpmock.NewMockTransport()
	mt.RegisterNoResponder(rec.Respond)
	resp := post(t, &http.Client{Transport: mt}, "{}")
	b, _ := io.ReadAll(resp.Body)
	require.Equal(t, 200, resp.StatusCode)
	require.Equal(t, "{}", string(b))
	require.Equal(t, "application/json", resp.Header.Get("Content-Type"))
}

// Wrap records in front of another responder, which still reads the body.
func TestRecorderWrap(t *testing.T) {
	t.Parallel()
	var rec testkit.Recorder
	mt := httpmock.NewMockTransport()
	mt.RegisterNoResponder(rec.Wrap(func(req *http.Request) (*http.Response, error) {
		b, err := io.ReadAll(req.Body)
		require.NoError(t, err)
		return httpmock.NewStringResponse(201, "echo "+string(b)), nil
	}))
	resp := post(t, &http.Client{Transport: mt}, "hello")
	b, _ := io.ReadAll(resp.Body)
	require.Equal(t, "echo hello", string(b))
	require.Equal(t, "hello", string(rec.Requests()[0].Body))
}

func TestClock(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.FixedZone("EET", 2*3600))
	c := testkit.NewClock(at)
	require.True(t, c.Now().Equal(at))
	require.Equal(t, time.UTC, c.Now().Location())
	c.Advance(90 * time.Second)
	require.Equal(t, at.Add(90*time.Second).UTC(), c.Now())
}

func TestJWTCarriesExpAndID(t *testing.T) {
	t.Parallel()
	exp := time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
	tok := testkit.JWT(exp, "7")
	parts := strings.Split(tok, ".")
	require.Len(t, parts, 3)
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	var claims struct {
		Exp int64  `json:"exp"`
		JTI string `json:"jti"`
	}
	require.NoError(t, json.Unmarshal(b, &claims))
	require.Equal(t, exp.Unix(), claims.Exp)
	require.Equal(t, "7", claims.JTI)
	require.NotEqual(t, tok, testkit.JWT(exp, "8"))
}

// fatalT records the first Fatalf and stops the check there, as
// testing.T's does.
type fatalT struct {
	testing.TB
	msg string
}

func (f *fatalT) Helper() {}
func (f *fatalT) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	panic(f)
}

func failure(check func(t testing.TB)) (msg string) {
	f := &fatalT{}
	defer func() {
		if r := recover(); r != nil && r != f {
			panic(r)
		}
		msg = f.msg
	}()
	check(f)
	return ""
}

func TestRequireAPIError(t *testing.T) {
	t.Parallel()
	err := fmt.Errorf("wrapped: %w", &restrict.APIError{Provider: "purse", Class: restrict.ErrNotFound, Code: "004"})
	require.Equal(t, "004", testkit.RequireAPIError(t, err, "purse", restrict.ErrNotFound).Code)
	require.Equal(t, "004", testkit.RequireAPIError(t, err, "purse", nil).Code)

	require.Contains(t, failure(func(t testing.TB) { testkit.RequireAPIError(t, err, "purse", restrict.ErrConflict) }), "does not match")
	require.Contains(t, failure(func(t testing.TB) { testkit.RequireAPIError(t, err, "kpayment", nil) }), `want "kpayment"`)
	require.Contains(t, failure(func(t testing.TB) { testkit.RequireAPIError(t, io.EOF, "purse", nil) }), "not a *restrict.APIError")
	require.Contains(t, failure(func(t testing.TB) { testkit.RequireAPIError(t, nil, "purse", nil) }), "not a *restrict.APIError")
}
