package bench

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/transport"
	"github.com/restrictkit/restrict/purse"
)

// The tests below pin the fast paths added for performance to the
// behaviour of the general code they shortcut.

// capture is a RoundTripper that records the request URL and answers {}.
type capture struct{ got *url.URL }

func (c *capture) RoundTrip(r *http.Request) (*http.Response, error) {
	c.got = r.URL
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, Body: io.NopCloser(strings.NewReader("{}")), Request: r}, nil
}

// TestURLFastPathMatchesURLString: the transport builds a plain path by
// concatenation; the request must carry the URL that url.URL.String gives
// for the same parts, as it did before, for plain paths and others.
func TestURLFastPathMatchesURLString(t *testing.T) {
	type query struct {
		Action string `url:"action"`
	}
	for _, tc := range []struct {
		base, path string
		params     map[string]string
		query      any
	}{
		{base: "http://127.0.0.1:8080", path: "/v1/wallet/block-address"},
		{base: "https://api.example.com/payment/", path: "/kpayment/v1/customer/{id}/block", params: map[string]string{"id": "fcc40793-39f9-4fa9-85b2-93148039a72b"}},
		{base: "https://api.example.com/payment", path: "/customer/{id}/block", params: map[string]string{"id": "a b%c~ü:@"}},
		{base: "http://[::1]:9/platform/wallets", path: "/accounts/freeze-unfreeze", query: url.Values{"action": {"FREEZE"}}},
		{base: "http://localhost/a%20b", path: "/x_y.z~", query: query{Action: "UN FREEZE"}},
		{base: "https://h.example", path: "/a;b=c/$d"},
	} {
		rt := &capture{}
		c, err := transport.New(transport.Config{Provider: "test"},
			[]restrict.Option{restrict.WithBaseURL(tc.base), restrict.WithHTTPClient(&http.Client{Transport: rt})})
		require.NoError(t, err)
		_, err = c.Do(context.Background(), &transport.Operation{Name: "Op", Method: http.MethodPost, Path: tc.path, PathParams: tc.params, Query: tc.query}, nil)
		require.NoError(t, err, tc)

		// The general construction, as the transport did it for every call.
		base, err := url.Parse(tc.base)
		require.NoError(t, err)
		path := tc.path
		for name, value := range tc.params {
			path = strings.ReplaceAll(path, "{"+name+"}", url.PathEscape(value))
		}
		escaped := strings.TrimRight(base.EscapedPath(), "/") + path
		unescaped, err := url.PathUnescape(escaped)
		require.NoError(t, err)
		u := url.URL{Scheme: base.Scheme, Host: base.Host, Path: unescaped, RawPath: escaped}
		switch q := tc.query.(type) {
		case url.Values:
			u.RawQuery = q.Encode()
		case query:
			u.RawQuery = url.Values{"action": {q.Action}}.Encode()
		}
		want, err := url.Parse(u.String())
		require.NoError(t, err)
		require.Equal(t, want, rt.got, tc)
	}
}

// TestPurseErrorCodeAnyCase: purse skips its error-envelope decode only
// for a body that cannot name errorCode; a name in another case, or
// spelled with an escape, still makes the answer an error, as
// json.Unmarshal's case-insensitive matching always did.
func TestPurseErrorCodeAnyCase(t *testing.T) {
	for _, body := range []string{
		`{"errorCode":"003","message":"Wrong sign"}`,
		`{"ERRORCODE":"003","message":"Wrong sign"}`,
		`{"ErrorCode":"003","message":"Wrong sign"}`,
		`{"\u0065rrorCode":"003","message":"Wrong sign"}`,
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, body)
		}))
		c, err := purse.New(purse.Credentials{Account: purseAccount, Key: purseKey, Secret: purseSecret}, restrict.WithBaseURL(srv.URL))
		require.NoError(t, err)
		_, err = c.Restrict(context.Background(), restrict.Target{ID: targetID})
		srv.Close()
		require.Error(t, err, body)
		require.True(t, errors.Is(err, restrict.ErrUnauthorized), "%s: %v", body, err)
		var ae *restrict.APIError
		require.True(t, errors.As(err, &ae))
		require.Equal(t, "003", ae.Code, body)
	}
}
