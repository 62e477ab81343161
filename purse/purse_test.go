package purse_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/testkit"
	"github.com/restrictkit/restrict/purse"
)

func TestGetPursesWire(t *testing.T) {
	t.Parallel()
	ok := restrict.Meta{StatusCode: 200, Attempts: 1}
	for _, tc := range []struct {
		name, answer string
		want         []purse.Purse
	}{
		{
			name: "Array",
			answer: `[{"id":"p-1","customerId":"` + custID + `","currency":"USDT","balance":"10.50"},` +
				`{"id":"p-2","customerId":"` + custID + `","currency":"BTC","balance":0.00000001}]`,
			want: []purse.Purse{
				{ID: "p-1", CustomerID: custID, Currency: "USDT", Balance: "10.50"},
				{ID: "p-2", CustomerID: custID, Currency: "BTC", Balance: "0.00000001"},
			},
		},
		{
			name:   "Page",
			answer: `{"page":0,"size":20,"total":1,"totalElements":1,"result":[{"id":"p-1","customerId":"` + custID + `","currency":"USDT","balance":"1"}]}`,
			want:   []purse.Purse{{ID: "p-1", CustomerID: custID, Currency: "USDT", Balance: "1"}},
		},
		{name: "EmptyArray", answer: `[]`, want: []purse.Purse{}},
		{name: "EmptyPage", answer: `{"result":[]}`, want: []purse.Purse{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, _, rec := newMocked(t, []testkit.Answer{{Status: 200, Body: tc.answer}})
			got, err := c.GetPurses(ctx(), purse.GetPursesRequest{CustomerID: custID})
			require.NoError(t, err)
			require.Equal(t, &purse.Purses{Purses: tc.want, Meta: ok}, got)
			requireSignedEnvelope(t, rec.Requests()[0], "/purse/get-all", `{"customerId":"`+custID+`"}`)
		})
	}
}

func TestGetAddressWire(t *testing.T) {
	t.Parallel()
	c, _, rec := newMocked(t, []testkit.Answer{{Status: 200, Body: `{"address":"TXYZ","currency":"USDT","purseId":"p-1","customerId":"` + custID + `"}`}})
	got, err := c.GetAddress(ctx(), purse.GetAddressRequest{PurseID: "p-1"})
	require.NoError(t, err)
	require.Equal(t, &purse.Address{Address: "TXYZ", Currency: "USDT", PurseID: "p-1", CustomerID: custID,
		Meta: restrict.Meta{StatusCode: 200, Attempts: 1}}, got)
	requireSignedEnvelope(t, rec.Requests()[0], "/address/get", `{"purseId":"p-1"}`)
}

func TestPurseValidationSendsNothing(t *testing.T) {
	t.Parallel()
	c, mt, _ := newMocked(t, []testkit.Answer{{Status: 200, Body: `[]`}})
	_, err := c.GetPurses(ctx(), purse.GetPursesRequest{CustomerID: "not-a-uuid"})
	requireFieldError(t, err, "GetPurses", "customerId")
	_, err = c.GetAddress(ctx(), purse.GetAddressRequest{})
	requireFieldError(t, err, "GetAddress", "purseId")
	require.Zero(t, mt.GetTotalCallCount())
}

// TestPurseAnswersWithoutTheirObject: a success that holds no list of
// purses, or no address, is unreadable, not an empty result.
func TestPurseAnswersWithoutTheirObject(t *testing.T) {
	t.Parallel()
	for name, body := range map[string]string{"Object": `{}`, "Null": `null`, "Wrapped": `{"data":[{"id":"p-1"}]}`} {
		c, _, _ := newMocked(t, []testkit.Answer{{Status: 200, Body: body}}, noRetry)
		_, err := c.GetPurses(ctx(), purse.GetPursesRequest{CustomerID: custID})
		require.ErrorIs(t, err, restrict.ErrUnavailable, name)
		require.Contains(t, err.Error(), "unreadable answer: no result", name)
		_, err = c.GetAddress(ctx(), purse.GetAddressRequest{PurseID: "p-1"})
		require.ErrorIs(t, err, restrict.ErrUnavailable, name)
		require.Contains(t, err.Error(), "unreadable answer: no address", name)
	}
}
