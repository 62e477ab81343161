package console

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestLimitsPageShowsEveryProvider(t *testing.T) {
	ts := newTestServer(t, nil)
	require.NoError(t, ts.engine.SetConcurrency(context.Background(), "purse", 3, "someone"))
	status, body := ts.get(t, "/limits", viewerToken)
	require.Equal(t, http.StatusOK, status, body)
	require.Contains(t, body, `id="limits"`)
	require.Contains(t, body, `<tr class="limit" data-provider="cryptomus">`, "a configured provider without a limit is listed")
	require.Contains(t, body, `<tr class="limit" data-provider="purse">`)
	require.Contains(t, body, "<td>someone</td>")
	require.NotContains(t, body, `id="limits-form"`, "a viewer sees no form")
}

func TestLimitsFormSetsLimits(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.Client().CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	ctx := context.Background()
	post := func(form url.Values) *http.Response {
		return ts.bearer(t, http.MethodPost, "/limits", operatorToken, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
	}

	resp := post(url.Values{"rate_purse": {"7.5"}, "concurrency_purse": {"4"}, "rate_cryptomus": {"0"}, "concurrency_cryptomus": {""}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, "/limits", resp.Header.Get("Location"))
	limits, err := ts.engine.Limits(ctx)
	require.NoError(t, err)
	require.Len(t, limits, 1, "an unchanged provider is not written")
	require.Equal(t, "purse", limits[0].Provider)
	require.Equal(t, 7.5, limits[0].Rate)
	require.Equal(t, 4, limits[0].Concurrency)
	require.Equal(t, "otto", limits[0].UpdatedBy, "the operator's name, never the token")

	resp = post(url.Values{"rate_purse": {"fast"}, "concurrency_purse": {"9"}, "concurrency_cryptomus": {"-1"}})
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	body := readAll(t, resp)
	require.Contains(t, body, "<li>rate_purse: want a number")
	require.Contains(t, body, "<li>concurrency_cryptomus: want a whole number")
	require.Contains(t, body, `value="fast"`, "the form shows what was typed")
	limits, err = ts.engine.Limits(ctx)
	require.NoError(t, err)
	require.Equal(t, 4, limits[0].Concurrency, "one bad field changes nothing")
}
