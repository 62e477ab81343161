package kpayment_test

import (
	"net/http"
	"sort"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/testkit"
	"github.com/restrictkit/restrict/kpayment"
	"github.com/restrictkit/restrict/kpayment/kpaymenttest"
)

const (
	testUser = "subscriber"
	testPass = "s3cret-pw"
	// testBasic is base64("subscriber:s3cret-pw"), computed with
	// printf 'subscriber:s3cret-pw' | base64.
	testBasic = "Basic c3Vic2NyaWJlcjpzM2NyZXQtcHc="
	testToken = "tok-9f8e7d6c5b4a"
	// custUUID is a customer UUID in the documented 8-4-4-4-12 form.
	custUUID = "4f1c0b7e-2a9d-4c1e-9a52-0d6e8b3f7a11"
	// blockPath is custUUID's block path under the default base URL.
	blockPath = "/payment/kpayment/v1/customer/" + custUUID + "/block"
)

var basicCreds = kpayment.Credentials{Username: testUser, Password: testPass}

// fastRetry keeps retry tests in milliseconds.
var fastRetry = restrict.WithRetry(restrict.RetryPolicy{MaxAttempts: 3, MinWait: time.Millisecond, MaxWait: 10 * time.Millisecond})

// newMocked returns a client whose HTTP goes to a per-test mock transport
// that answers with answers in turn (200 {} when none).
func newMocked(t *testing.T, creds kpayment.Credentials, answers []testkit.Answer, opts ...restrict.Option) (*kpayment.Client, *httpmock.MockTransport, *testkit.Recorder) {
	t.Helper()
	mt := httpmock.NewMockTransport()
	rec := testkit.NewRecorder(answers...)
	mt.RegisterNoResponder(rec.Respond)
	opts = append([]restrict.Option{restrict.WithHTTPClient(&http.Client{Transport: mt})}, opts...)
	c, err := kpayment.New(creds, opts...)
	require.NoError(t, err)
	return c, mt, rec
}

// newFake returns a client for creds against a fake that accepts both the
// Basic pair and the token, with millisecond retries.
func newFake(t *testing.T, creds kpayment.Credentials, opts ...restrict.Option) (*kpayment.Client, *kpaymenttest.Server) {
	t.Helper()
	fake := kpaymenttest.NewServer(kpayment.Credentials{Username: testUser, Password: testPass, Token: testToken})
	t.Cleanup(fake.Close)
	opts = append([]restrict.Option{restrict.WithBaseURL(fake.BaseURL()), fastRetry}, opts...)
	c, err := kpayment.New(creds, opts...)
	require.NoError(t, err)
	return c, fake
}

// keys returns the field names of an error, sorted.
func keys(fields map[string][]string) []string {
	out := make([]string, 0, len(fields))
	for k := range fields {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
