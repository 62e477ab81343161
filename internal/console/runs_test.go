package console

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict/bulk"
	"github.com/restrictkit/restrict/internal/subjects"
)

const (
	purseID1 = "2f1c9a2e-8a63-4c65-9d2b-7f0c2f4b9e01"
	purseID2 = "2f1c9a2e-8a63-4c65-9d2b-7f0c2f4b9e02"
)

func TestPrepareRunLocatesEveryProblem(t *testing.T) {
	ts := newTestServer(t, nil)
	ctx := context.Background()

	_, err := ts.srv.prepareRun(ctx, runInput{Action: "freeze", CSV: []byte("subject,purse\na," + purseID1 + "\n")})
	var ie *inputError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "action", ie.Problems[0].Pointer)

	_, err = ts.srv.prepareRun(ctx, runInput{Action: "restrict", CSV: []byte("subject,purse\na,not-a-uuid\n,b\n")})
	require.ErrorAs(t, err, &ie)
	require.Equal(t, 3, ie.Count) // a bad ID; a missing key and a bad ID
	assert.Equal(t, 2, ie.Problems[0].Line)
	assert.Equal(t, 3, ie.Problems[2].Line)
	assert.NotZero(t, ie.Problems[0].Column)

	// A provider this server has no credentials for is refused where its
	// column is, as the command refuses it.
	_, err = ts.srv.prepareRun(ctx, runInput{Action: "restrict", CSV: []byte("subject,purse,kpayment\na," + purseID1 + "," + purseID2 + "\n")})
	require.ErrorAs(t, err, &ie)
	require.Len(t, ie.Problems, 1)
	assert.Equal(t, fieldProblem{Line: 1, Column: 3, Message: ie.Problems[0].Message}, ie.Problems[0])
	assert.Contains(t, ie.Problems[0].Message, "RESTRICT_KPAYMENT_")

	_, err = ts.srv.prepareRun(ctx, runInput{Action: "restrict", IsJSON: true,
		JSON: []subjects.Subject{{Key: "a", IDs: map[string]string{"purse": "nope"}}}})
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "/subjects/0/ids/purse", ie.Problems[0].Pointer)

	_, err = ts.srv.prepareRun(ctx, runInput{Action: "restrict", CSV: nil})
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "subjects", ie.Problems[0].Pointer)
}

func TestSubmitRunSubmitsWhatWasCheckedAndRefusesAFinishedName(t *testing.T) {
	ts := newTestServer(t, nil)
	ctx := context.Background()
	csv := []byte("subject,purse\nann," + purseID1 + "\nbob," + purseID2 + "\n")

	pr, err := ts.srv.prepareRun(ctx, runInput{Action: "restrict", Reason: "sanctions", CSV: csv})
	require.NoError(t, err)
	assert.Equal(t, map[string]int{"purse": 2}, pr.Plan.Jobs)
	// The caller's buffer changing after the check changes nothing.
	copy(csv, "XXXXXXXXXXXXXXXXXXXXXX")
	ri, err := ts.srv.submitRun(ctx, &principal{Name: "otto", Role: RoleOperator}, pr)
	require.NoError(t, err)
	assert.Equal(t, int64(2), ri.Jobs)
	_, err = ts.engine.Wait(ctx, ri.Name)
	require.NoError(t, err)
	var keys []string
	for o, err := range ts.engine.Outcomes(ctx, bulk.Filter{Run: ri.Name}) {
		require.NoError(t, err)
		keys = append(keys, o.Subject)
	}
	assert.Equal(t, []string{"ann", "bob"}, keys)

	// The same subjects again follow the finished run under a new name.
	again := []byte("subject,purse\nann," + purseID1 + "\nbob," + purseID2 + "\n")
	pr2, err := ts.srv.prepareRun(ctx, runInput{Action: "restrict", Reason: "sanctions", CSV: again})
	require.NoError(t, err)
	require.NotNil(t, pr2.Plan.Follows)
	assert.Equal(t, ri.Name, pr2.Plan.Follows.Name)
	assert.Equal(t, ri.Name+"-2", pr2.Plan.Run)

	// Naming the finished run is refused before anything is written.
	_, err = ts.srv.prepareRun(ctx, runInput{Action: "restrict", Name: ri.Name, CSV: again})
	var fe *subjects.FinishedError
	require.True(t, errors.As(err, &fe), "%v", err)
	assert.Equal(t, ri.Name, fe.Run)
}
