package transport_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/restrictkit/restrict/internal/transport"
)

// FuzzScanObject holds transport.ScanObject, which the provider decoders'
// fast paths stand on, to json.Unmarshal into a map: for any input it
// accepts, the last value it gives for each name is the value the map
// holds for that name, and it names exactly the map's keys. It must never
// panic, whatever the input.
func FuzzScanObject(f *testing.F) {
	for _, seed := range []string{
		`{}`, ` { } `, `{"a":1}`, `{"a":1,"a":2}`, `{"a":"}\"{[","b":[{"c":"]"}],"d":{"e":{}}}`,
		`{"data":{"success":true}}`, "{\"a\" :\n[ 1 , 2 ]\t, \"b\" : null }", `{"a\u0062":1}`,
		`{"a":-1.5e+3,"b":true,"c":false,"d":""}`, `[]`, `{"a":}`, `{"a":1} x`, ``, `{"é":1}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		got := map[string][]byte{}
		ok := transport.ScanObject(body, func(name, value []byte) {
			got[string(name)] = value
		})
		var want map[string]json.RawMessage
		err := json.Unmarshal(body, &want)
		if !ok {
			return // not an object, or an escaped name: callers decode instead
		}
		if err != nil || want == nil {
			t.Fatalf("ScanObject accepted %q, which json.Unmarshal refuses: %v", body, err)
		}
		// With no escape in any name, a name as written is the name as
		// decoded, unless it is not valid UTF-8 (a decode replaces that).
		for k, v := range got {
			if !utf8.ValidString(k) {
				continue
			}
			if w, found := want[k]; !found || !bytes.Equal(v, w) {
				t.Fatalf("%q: member %q is %q, json.Unmarshal has %q (found %v)", body, k, v, w, found)
			}
		}
		for k := range want {
			if _, found := got[k]; !found && !strings.ContainsRune(k, utf8.RuneError) {
				t.Fatalf("%q: json.Unmarshal has member %q, ScanObject did not give it", body, k)
			}
		}
	})
}
