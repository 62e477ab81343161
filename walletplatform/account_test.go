package walletplatform_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/testkit"
	"github.com/restrictkit/restrict/walletplatform"
)

func TestFreezeAccountWire(t *testing.T) {
	t.Parallel()
	c, mt := newMocked(t, staticCreds())
	var s testkit.Recorder
	mt.RegisterResponder(http.MethodPost, freezeAt, s.Wrap(answer(http.StatusOK, jsonCT,
		`{"status":true,"statusCode":0,"message":"Account freeze successful","data":{"accountId":"acc/1 ü"},"errors":[]}`)))

	res, err := freeze(context.Background(), c, "acc/1 ü")
	require.NoError(t, err)
	require.Equal(t, 1, s.Count())
	req := s.Requests()[0]
	require.Equal(t, http.MethodPost, req.Method)
	require.Equal(t, "/platform/wallets/accounts/freeze-unfreeze", req.URL.Path)
	// The documentation's curl examples are labelled the other way round;
	// action=FREEZE freezes.
	require.Equal(t, "action=FREEZE", req.URL.RawQuery)
	require.Equal(t, apiKey, req.Header.Get("apiKey"))
	require.Equal(t, "Bearer "+staticTk, req.Header.Get("Authorization"))
	require.Equal(t, "application/json", req.Header.Get("Content-Type"))
	require.Equal(t, "application/json", req.Header.Get("Accept"))
	require.Equal(t, `{"accountId":"acc/1 ü"}`, string(s.Requests()[0].Body), "a body field is not a path: any text goes")

	require.Equal(t, &walletplatform.FreezeAccountResult{
		Meta:    restrict.Meta{StatusCode: http.StatusOK, Attempts: 1},
		Message: "Account freeze successful",
		Data:    []byte(`{"accountId":"acc/1 ü"}`),
	}, res)
}

// An unfreeze sends action=UNFREEZE and returns an unfreeze's result, with
// the platform's own message.
func TestUnfreezeAccountWire(t *testing.T) {
	t.Parallel()
	c, mt := newMocked(t, staticCreds())
	var s testkit.Recorder
	mt.RegisterResponder(http.MethodPost, freezeAt, s.Wrap(answer(http.StatusOK, jsonCT,
		`{"status":true,"statusCode":0,"message":"Account unfreeze successful","data":{},"errors":[]}`)))

	res, err := unfreeze(context.Background(), c, "acc-1")
	require.NoError(t, err)
	require.Equal(t, "action=UNFREEZE", s.Requests()[0].URL.RawQuery)
	require.Equal(t, `{"accountId":"acc-1"}`, string(s.Requests()[0].Body))
	require.Equal(t, &walletplatform.UnfreezeAccountResult{
		Meta:    restrict.Meta{StatusCode: http.StatusOK, Attempts: 1},
		Message: "Account unfreeze successful",
		Data:    []byte(`{}`),
	}, res)
}

func TestGetAccountWire(t *testing.T) {
	t.Parallel()
	c, mt := newMocked(t, staticCreds())
	var s testkit.Recorder
	const data = `{"_id":"64d66cfad65d553ad6090bcb","uuid":"6b1f-uuid","accountNumber":9012345678,"status":"ACTIVE","balance":{"amount":"10.50"}}`
	mt.RegisterResponder(http.MethodGet, baseURL+"/accounts/6b1f-uuid",
		s.Wrap(answer(http.StatusOK, jsonCT, `{"status":true,"statusCode":0,"message":"ok","data":`+data+`,"errors":[]}`)))

	acc, err := c.GetAccount(context.Background(), "6b1f-uuid")
	require.NoError(t, err)
	req := s.Requests()[0]
	require.Equal(t, http.MethodGet, req.Method)
	require.Empty(t, req.URL.RawQuery)
	require.Empty(t, string(s.Requests()[0].Body))
	require.Equal(t, apiKey, req.Header.Get("apiKey"))
	require.Equal(t, "Bearer "+staticTk, req.Header.Get("Authorization"))

	require.Equal(t, "64d66cfad65d553ad6090bcb", acc.ID)
	require.Equal(t, "6b1f-uuid", acc.UUID)
	require.Equal(t, "9012345678", acc.AccountNumber, "a number is kept as its text")
	require.Equal(t, "ACTIVE", acc.Status)
	require.JSONEq(t, data, string(acc.Raw))
	require.Equal(t, restrict.Meta{StatusCode: http.StatusOK, Attempts: 1}, acc.Meta)
}

// A path parameter is escaped into one path segment.
func TestGetAccountEscapesPath(t *testing.T) {
	t.Parallel()
	c, mt := newMocked(t, staticCreds())
	var s testkit.Recorder
	mt.RegisterNoResponder(s.Wrap(answer(http.StatusOK, jsonCT, okJSON)))
	_, err := c.GetAccount(context.Background(), "a b?c")
	require.NoError(t, err)
	require.Equal(t, "/platform/wallets/accounts/a%20b%3Fc", s.Requests()[0].URL.EscapedPath())
	require.Empty(t, s.Requests()[0].URL.RawQuery)
}

func TestXMLAccountData(t *testing.T) {
	t.Parallel()
	c, mt := newMocked(t, staticCreds())
	mt.RegisterResponder(http.MethodGet, baseURL+"/accounts/u-1", answer(http.StatusOK, xmlCT,
		`<response><status>true</status><statusCode>0</statusCode><message>ok</message>`+
			`<data><_id>64d6</_id><uuid>u-1</uuid><accountNumber> 9012 </accountNumber><status>FROZEN</status>`+
			`<tags><tag>a</tag><tag>b &amp; c</tag></tags></data><errors></errors></response>`))
	acc, err := c.GetAccount(context.Background(), "u-1")
	require.NoError(t, err)
	require.Equal(t, "64d6", acc.ID)
	require.Equal(t, "u-1", acc.UUID)
	require.Equal(t, "9012", acc.AccountNumber)
	require.Equal(t, "FROZEN", acc.Status)
	require.JSONEq(t, `{"_id":"64d6","uuid":"u-1","accountNumber":"9012","status":"FROZEN","tags":{"tag":["a","b & c"]}}`, string(acc.Raw))
}

// The account's shape is a guess: each field is read from the first of its
// names that holds a string or a number, and a value of another type is
// skipped, not fatal.
func TestAccountFieldNames(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		data string
		want walletplatform.Account
	}{
		"other names": {`{"id":7,"accountUuid":"u-1","accountNo":"0123","accountStatus":"ACTIVE"}`,
			walletplatform.Account{ID: "7", UUID: "u-1", AccountNumber: "0123", Status: "ACTIVE"}},
		"first name wins": {`{"_id":"a","id":"b","uuid":"u","accountUuid":"v","nuban":"1","accountNumber":"2"}`,
			walletplatform.Account{ID: "a", UUID: "u", AccountNumber: "2"}},
		"wrong types skipped": {`{"status":{"code":1},"accountStatus":"FROZEN","uuid":["x"],"accountUuid":null}`,
			walletplatform.Account{Status: "FROZEN"}},
		"empty": {`{}`, walletplatform.Account{}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMocked(t, staticCreds())
			mt.RegisterResponder(http.MethodGet, baseURL+"/accounts/u-1", answer(http.StatusOK, jsonCT, `{"status":true,"data":`+tc.data+`}`))
			acc, err := c.GetAccount(context.Background(), "u-1")
			require.NoError(t, err)
			want := tc.want
			want.Meta = restrict.Meta{StatusCode: http.StatusOK, Attempts: 1}
			want.Raw = []byte(tc.data)
			require.Equal(t, &want, acc)
		})
	}
}

// An answer without data gives an account with nothing filled; data that
// is not an object is an unreadable answer.
func TestAccountWithoutData(t *testing.T) {
	t.Parallel()
	for _, body := range []string{`{"status":true}`, `{"status":true,"data":null}`, `<response><status>true</status><data> </data></response>`} {
		c, mt := newMocked(t, staticCreds())
		mt.RegisterResponder(http.MethodGet, baseURL+"/accounts/u-1", answer(http.StatusOK, "", body))
		acc, err := c.GetAccount(context.Background(), "u-1")
		require.NoError(t, err, body)
		require.Equal(t, &walletplatform.Account{Meta: restrict.Meta{StatusCode: http.StatusOK, Attempts: 1}}, acc, body)
	}

	c, mt := newMocked(t, staticCreds())
	mt.RegisterResponder(http.MethodGet, baseURL+"/accounts/u-1", answer(http.StatusOK, jsonCT, `{"status":true,"data":"u-1"}`))
	_, err := c.GetAccount(context.Background(), "u-1")
	require.ErrorIs(t, err, restrict.ErrUnavailable)
	require.Contains(t, err.Error(), "unreadable answer")
}

func TestSuccessAnswers(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		ct, body, message string
	}{
		"json":               {jsonCT, okJSON, "Account freeze successful"},
		"documented xml":     {xmlCT, docXMLSuccess, "string"},
		"text/xml":           {"text/xml; charset=utf-8", docXMLSuccess, "string"},
		"xml with prolog":    {xmlCT, `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + docXMLSuccess, "string"},
		"xml without type":   {"", "\n  " + docXMLSuccess, "string"},
		"xml labelled json":  {jsonCT, docXMLSuccess, "string"},
		"json labelled xml":  {xmlCT, okJSON, "Account freeze successful"},
		"json labelled text": {"text/plain", okJSON, "Account freeze successful"},
		"json with bom":      {jsonCT, "\xef\xbb\xbf" + okJSON, "Account freeze successful"},
		"xml status TRUE":    {xmlCT, `<response><status> TRUE </status></response>`, ""},
		"vendor json type":   {"application/vnd.sabi+json", okJSON, "Account freeze successful"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMocked(t, staticCreds())
			mt.RegisterResponder(http.MethodPost, freezeAt, answer(http.StatusOK, tc.ct, tc.body))
			res, err := freeze(context.Background(), c, "acc-1")
			require.NoError(t, err)
			require.Equal(t, tc.message, res.Message)
			if strings.HasPrefix(strings.TrimSpace(strings.TrimPrefix(tc.body, "\xef\xbb\xbf")), "<") {
				require.Nil(t, res.Data, "an empty <data></data> is no data")
			} else {
				require.JSONEq(t, `{}`, string(res.Data), "data as sent")
			}
		})
	}
}

func TestLocalValidationSendsNothing(t *testing.T) {
	t.Parallel()
	c, mt := newMocked(t, loginCreds())
	ctx := context.Background()
	check := func(err error, op, field string) {
		t.Helper()
		require.ErrorIs(t, err, restrict.ErrInvalidRequest)
		ae := testkit.RequireAPIError(t, err, walletplatform.Provider, nil)
		require.Equal(t, op, ae.Operation)
		require.Contains(t, ae.Fields, field)
		require.Contains(t, err.Error(), field)
		require.Zero(t, ae.Attempts)
	}
	for _, bad := range []string{"", "  ", "a\nb", "a\x00b", strings.Repeat("9", 257)} {
		_, err := freeze(ctx, c, bad)
		check(err, "FreezeAccount", "accountId")
		_, err = unfreeze(ctx, c, bad)
		check(err, "UnfreezeAccount", "accountId")
		_, err = c.GetAccount(ctx, bad)
		check(err, "GetAccount", "accountUuid")
	}
	for _, bad := range []string{"../admin", "a/b", `a\b`, ".", ".."} {
		_, err := c.GetAccount(ctx, bad)
		check(err, "GetAccount", "accountUuid")
	}
	// Not even a login was attempted.
	require.Zero(t, mt.GetTotalCallCount())
}
