package console

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDecodeStrictNamesTheField(t *testing.T) {
	t.Parallel()
	type subject struct {
		Key string            `json:"key"`
		IDs map[string]string `json:"ids"`
	}
	type body struct {
		Name     string    `json:"name"`
		DryRun   bool      `json:"dry_run"`
		Count    *int      `json:"count"`
		Subjects []subject `json:"subjects"`
	}
	for _, tc := range []struct {
		in, pointer, message string
	}{
		{`{"name": "a", "dry_run": true, "subjects": [{"key": "k", "ids": {"purse": "x"}}]}`, "", ""},
		{`{"dry_run": "yes"}`, "/dry_run", "want true or false, not a string"},
		{`{"subjects": [{"key": "a"}, {"key": 3}]}`, "/subjects/1/key", "want a string, not a number"},
		{`{"subjects": [{"key": "a", "ids": {"pu/rse": 4}}]}`, "/subjects/0/ids/pu~1rse", "want a string, not a number"},
		{`{"subjects": [{"key": "a"}, {"kee": "b"}]}`, "/subjects/1/kee", "unknown field"},
		{`{"nmae": "a"}`, "/nmae", "unknown field"},
		{`{"count": 1.5}`, "/count", "want a whole number"},
		{`[1]`, "", "want an object, not an array"},
		{`{"name": "a"} {"name": "b"}`, "", "want one JSON value, found more after it"},
		{`{"name": "a"`, "", "not JSON: unexpected EOF"},
		{``, "", "not JSON: EOF"},
	} {
		var b body
		fp := decodeStrict([]byte(tc.in), &b)
		if tc.message == "" {
			require.Nil(t, fp, tc.in)
			continue
		}
		require.NotNil(t, fp, tc.in)
		require.Equal(t, tc.pointer, fp.Pointer, tc.in)
		require.Equal(t, tc.message, fp.Message, tc.in)
	}
}
