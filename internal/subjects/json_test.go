package subjects

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict/bulk"
)

func TestFromJSONAcceptsAList(t *testing.T) {
	t.Parallel()
	list := []Subject{
		{Key: "alice", IDs: map[string]string{"walletplatform": "acc-1", "purse": testUUID}},
		{Key: "bob", IDs: map[string]string{"kpayment": ""}},
		{Key: "carol"},
	}
	f, err := FromJSON(list)
	require.NoError(t, err)
	require.Equal(t, []string{"kpayment", "purse", "walletplatform"}, f.Providers)
	require.Equal(t, 3, f.Subjects)
	require.Equal(t, 2, f.Jobs)
	require.Equal(t, 2, f.IDless)
	require.Zero(t, f.Column("purse"))
	var got []bulk.Subject
	for s, err := range f.Stream() {
		require.NoError(t, err)
		got = append(got, s)
	}
	require.Equal(t, []bulk.Subject{
		{Key: "alice", IDs: map[string]string{"walletplatform": "acc-1", "purse": testUUID}},
		{Key: "bob", IDs: map[string]string{}},
		{Key: "carol", IDs: map[string]string{}},
	}, got)

	// The same list, written otherwise, has the same sum; another list
	// another.
	same, err := FromJSON([]Subject{
		{Key: "alice", IDs: map[string]string{"purse": testUUID, "walletplatform": "acc-1"}},
		{Key: "bob", IDs: map[string]string{}},
		{Key: "carol", IDs: map[string]string{"purse": ""}},
	})
	require.NoError(t, err)
	require.Equal(t, f.Sum, same.Sum)
	other, err := FromJSON(list[:2])
	require.NoError(t, err)
	require.NotEqual(t, f.Sum, other.Sum)
}

func TestFromJSONLocatesProblemsByPointer(t *testing.T) {
	t.Parallel()
	_, err := FromJSON([]Subject{
		{Key: "alice", IDs: map[string]string{"purse": "not-a-uuid"}},
		{Key: "alice"},
		{Key: " bob"},
		{Key: ""},
		{Key: "dave", IDs: map[string]string{"stripe/x": "1", "kpayment": testUUID + " "}},
		{Key: "erin\x1b"},
	})
	var e *Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, 7, e.Count)
	require.Equal(t, []Problem{
		{Pointer: "/subjects/0/ids/purse", Message: `purse would refuse ID "not-a-uuid": ID must be a UUID (8-4-4-4-12 hexadecimal digits)`},
		{Pointer: "/subjects/1/key", Message: `subject "alice" repeats /subjects/0`},
		{Pointer: "/subjects/2/key", Message: `subject " bob" has white space around it`},
		{Pointer: "/subjects/3/key", Message: "the subject is empty"},
		{Pointer: "/subjects/4/ids/kpayment", Message: `kpayment ID "` + testUUID + ` " has white space around it`},
		{Pointer: "/subjects/4/ids/stripe~1x", Message: `unknown provider "stripe/x": the providers are cryptomus, customerv2, kpayment, purse, walletplatform`},
		{Pointer: "/subjects/5/key", Message: `subject "erin\x1b": control character U+001B at byte 5`},
	}, e.Problems)
	require.Contains(t, err.Error(), "the subjects file has 7 problems; nothing was submitted:\n/subjects/0/ids/purse: purse would refuse")
	requireNoControls(t, err.Error())

	_, err = FromJSON(nil)
	require.ErrorAs(t, err, &e)
	require.Equal(t, []Problem{{Pointer: "/subjects", Message: "no subjects: the list is empty"}}, e.Problems)
	_, err = FromJSON([]Subject{{Key: "alice"}, {Key: "bob", IDs: map[string]string{}}})
	require.ErrorAs(t, err, &e)
	require.Equal(t, []Problem{{Pointer: "/subjects", Message: "no provider: no subject has an ID at any of cryptomus, customerv2, kpayment, purse, walletplatform"}}, e.Problems)
}

func TestFromJSONWarnsOfAnIDUnderTwoSubjects(t *testing.T) {
	t.Parallel()
	f, err := FromJSON([]Subject{
		{Key: "alice", IDs: map[string]string{"walletplatform": "acc-1"}},
		{Key: "bob", IDs: map[string]string{"walletplatform": "acc-1"}},
	})
	require.NoError(t, err)
	require.Equal(t, []string{`/subjects/1/ids/walletplatform: walletplatform ID "acc-1" is also subject "alice"'s (/subjects/0)`}, f.Duplicates)
	require.Equal(t, 1, f.Duplicated)
}
