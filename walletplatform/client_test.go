package walletplatform_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/testkit"
	"github.com/restrictkit/restrict/walletplatform"
)

func TestNewValidatesCredentials(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		creds walletplatform.Credentials
		field string
	}{
		{"no api key", walletplatform.Credentials{Token: staticTk}, "APIKey"},
		{"blank api key", walletplatform.Credentials{APIKey: "  ", Token: staticTk}, "APIKey"},
		{"nothing but a key", walletplatform.Credentials{APIKey: apiKey}, "Username"},
		{"username without pass", walletplatform.Credentials{APIKey: apiKey, Username: "u"}, "PassID"},
		{"pass without username", walletplatform.Credentials{APIKey: apiKey, PassID: passID}, "Username"},
		{"token and login", walletplatform.Credentials{APIKey: apiKey, Token: staticTk, Username: "u", PassID: passID}, "Token"},
		{"blank token", walletplatform.Credentials{APIKey: apiKey, Token: " "}, "Token"},
		{"bare bearer", walletplatform.Credentials{APIKey: apiKey, Token: "Bearer "}, "Token"},
		{"the scheme alone", walletplatform.Credentials{APIKey: apiKey, Token: "bearer"}, "Token"},
		{"blank username", walletplatform.Credentials{APIKey: apiKey, Username: " ", PassID: passID}, "Username"},
		{"username with newline", walletplatform.Credentials{APIKey: apiKey, Username: "u\nX-Evil: 1", PassID: passID}, "Username"},
		{"pass with space around", walletplatform.Credentials{APIKey: apiKey, Username: "u", PassID: " " + passID}, "PassID"},
		{"token with space", walletplatform.Credentials{APIKey: apiKey, Token: "two words"}, "Token"},
		{"key with newline", walletplatform.Credentials{APIKey: "key\r\nX-Evil: 1", Token: staticTk}, "APIKey"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := walletplatform.New(tc.creds, restrict.WithBaseURL(baseURL))
			require.Nil(t, c)
			require.ErrorIs(t, err, restrict.ErrInvalidRequest)
			ae := testkit.RequireAPIError(t, err, walletplatform.Provider, nil)
			require.Equal(t, walletplatform.Provider, ae.Provider)
			require.Equal(t, "New", ae.Operation)
			require.Contains(t, ae.Fields, tc.field)
			requireNoSecret(t, err)
		})
	}
}

func TestNewRequiresBaseURL(t *testing.T) {
	t.Parallel()
	_, err := walletplatform.New(staticCreds())
	require.ErrorIs(t, err, restrict.ErrInvalidRequest)
	require.Contains(t, err.Error(), "WithBaseURL")
}

// The only documented host is plain http on a bare IP: refused unless the
// caller accepts clear text.
func TestInsecureHTTPRule(t *testing.T) {
	t.Parallel()
	const documented = "http://20.87.230.105/platform/wallets"
	for _, creds := range []walletplatform.Credentials{staticCreds(), loginCreds()} {
		_, err := walletplatform.New(creds, restrict.WithBaseURL(documented))
		require.ErrorIs(t, err, restrict.ErrInvalidRequest)
		require.Contains(t, err.Error(), "plain http")
		require.Contains(t, err.Error(), "WithInsecureHTTP")

		c, err := walletplatform.New(creds, restrict.WithBaseURL(documented), restrict.WithInsecureHTTP())
		require.NoError(t, err)
		require.NotNil(t, c)
	}

	// Loopback needs no permission: that is where the fakes run.
	_, err := walletplatform.New(loginCreds(), restrict.WithBaseURL("http://127.0.0.1:8080/platform/wallets"))
	require.NoError(t, err)
}

// The users URL is held to the same rule, whichever order the options come
// in.
func TestUsersURLInsecureRule(t *testing.T) {
	t.Parallel()
	_, err := walletplatform.New(loginCreds(), restrict.WithBaseURL(baseURL), walletplatform.WithUsersURL("http://20.87.230.105"))
	require.ErrorIs(t, err, restrict.ErrInvalidRequest)
	require.Contains(t, err.Error(), "users-service URL")
	require.Contains(t, err.Error(), "plain http")

	_, err = walletplatform.New(loginCreds(), walletplatform.WithUsersURL("http://20.87.230.105"), restrict.WithInsecureHTTP(), restrict.WithBaseURL(baseURL))
	require.NoError(t, err)

	for _, bad := range []string{"users.example.com", "ftp://users.example.com", "https://u:p@users.example.com", "https://users.example.com/?a=b"} {
		_, err = walletplatform.New(loginCreds(), restrict.WithBaseURL(baseURL), walletplatform.WithUsersURL(bad))
		require.ErrorIs(t, err, restrict.ErrInvalidRequest, bad)
		require.Contains(t, err.Error(), "WithUsersURL", bad)
		require.NotContains(t, err.Error(), "u:p", bad)
	}
}

func TestUsersURLOption(t *testing.T) {
	t.Parallel()
	c, mt := newMocked(t, loginCreds(), walletplatform.WithUsersURL("https://users.example.com/gateway"))
	var logins testkit.Recorder
	mt.RegisterResponder(http.MethodPost, "https://users.example.com/gateway/api/v1/users/login/platform/public",
		logins.Wrap(answer(http.StatusCreated, jsonCT, `{"data":{"accessToken":"tok-from-users-service"}}`)))
	mt.RegisterResponder(http.MethodPost, freezeAt, func(req *http.Request) (*http.Response, error) {
		require.Equal(t, "Bearer tok-from-users-service", req.Header.Get("Authorization"))
		return httpmock.NewStringResponse(http.StatusOK, okJSON), nil
	})
	_, err := freeze(context.Background(), c, "acc-1")
	require.NoError(t, err)
	require.Equal(t, 1, logins.Count())
	require.Equal(t, 2, mt.GetTotalCallCount())
}

// A token pasted with its scheme is sent once, not as "Bearer Bearer".
func TestTokenWithBearerPrefix(t *testing.T) {
	t.Parallel()
	c, mt := newMocked(t, walletplatform.Credentials{APIKey: apiKey, Token: " bearer " + staticTk})
	var s testkit.Recorder
	mt.RegisterResponder(http.MethodPost, freezeAt, s.Wrap(answer(http.StatusOK, jsonCT, okJSON)))
	_, err := freeze(context.Background(), c, "acc-1")
	require.NoError(t, err)
	require.Equal(t, "Bearer "+staticTk, s.Requests()[0].Header.Get("Authorization"))
}

func TestCredentialsDoNotPrintSecrets(t *testing.T) {
	t.Parallel()
	for _, creds := range []walletplatform.Credentials{staticCreds(), loginCreds()} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
			out := fmt.Sprintf(verb, creds)
			for _, s := range []string{apiKey, staticTk, passID} {
				require.NotContains(t, out, s, verb)
			}
		}
		var buf bytes.Buffer
		slog.New(slog.NewJSONHandler(&buf, nil)).Info("creds", "creds", creds)
		slog.New(slog.NewTextHandler(&buf, nil)).Info("creds", "creds", creds)
		js, err := json.Marshal(creds)
		require.NoError(t, err)
		buf.Write(js)
		for _, s := range []string{apiKey, staticTk, passID} {
			require.NotContains(t, buf.String(), s)
		}
		require.Contains(t, buf.String(), "[REDACTED]")
	}
	// The username is an identifier, not a secret: it stays visible.
	require.Contains(t, fmt.Sprintf("%+v", loginCreds()), "tech@example.com")
}

func TestClientDoesNotPrintSecrets(t *testing.T) {
	t.Parallel()
	c, _ := newMocked(t, loginCreds())
	for _, verb := range []string{"%v", "%+v", "%#v"} {
		for _, out := range []string{fmt.Sprintf(verb, c), fmt.Sprintf(verb, *c)} {
			for _, s := range []string{apiKey, passID} {
				require.NotContains(t, out, s, verb)
			}
			require.Contains(t, out, "wallets.example.com")
		}
	}
}

// Two clients with different credentials work side by side.
func TestClientsAreIndependent(t *testing.T) {
	t.Parallel()
	a, mta := newMocked(t, walletplatform.Credentials{APIKey: "key-a-0000000000", Token: "token-a-000000000"})
	b, mtb := newMocked(t, walletplatform.Credentials{APIKey: "key-b-0000000000", Token: "token-b-000000000"})
	for _, m := range []struct {
		mt  *httpmock.MockTransport
		key string
	}{{mta, "key-a-0000000000"}, {mtb, "key-b-0000000000"}} {
		key := m.key
		m.mt.RegisterResponder(http.MethodPost, freezeAt, func(req *http.Request) (*http.Response, error) {
			require.Equal(t, key, req.Header.Get("apiKey"))
			return httpmock.NewStringResponse(http.StatusOK, okJSON), nil
		})
	}
	_, err := freeze(context.Background(), a, "x")
	require.NoError(t, err)
	_, err = freeze(context.Background(), b, "x")
	require.NoError(t, err)
	require.Equal(t, 1, mta.GetTotalCallCount())
	require.Equal(t, 1, mtb.GetTotalCallCount())
}
