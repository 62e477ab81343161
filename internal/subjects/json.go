package subjects

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"iter"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/restrictkit/restrict/bulk"
	"github.com/restrictkit/restrict/internal/fleet"
)

// Subject is one subject of a JSON list: its key and its ID at each
// provider (package names), an empty ID meaning none.
type Subject struct {
	Key string            `json:"key"`
	IDs map[string]string `json:"ids"`
}

// FromJSON checks a JSON list of subjects as Parse checks a CSV file and
// refuses it with an *Error whose problems are located by JSON pointer
// (/subjects/3/key, /subjects/3/ids/purse): a missing, repeated or
// unstorable key, an unknown provider, an ID its provider would refuse,
// an empty list, a list naming no provider. The same duplicate-ID
// warnings are in Duplicates. The providers are those named in any
// subject's IDs, in fleet.Names order. Sum is over a canonical encoding
// of the list (empty IDs dropped, IDs in provider order), so the same
// list gets the same default run name.
func FromJSON(list []Subject) (*File, error) {
	f := &File{}
	p := &problems{}
	if len(list) == 0 {
		p.add(at{pointer: "/subjects"}, "no subjects: the list is empty")
		return nil, p.err()
	}
	rs := newRows(f, p)
	used := map[string]bool{}
	canon := make([]Subject, 0, len(list))
	for i, s := range list {
		base := "/subjects/" + strconv.Itoa(i)
		keyOK := rs.key(at{pointer: base + "/key"}, base, s.Key)
		c := Subject{Key: s.Key, IDs: make(map[string]string, len(s.IDs))}
		n := 0
		for _, name := range slices.Sorted(maps.Keys(s.IDs)) {
			id := s.IDs[name]
			a := at{pointer: base + "/ids/" + PointerToken(name)}
			if _, ok := fleet.Lookup(name); !ok {
				p.add(a, "unknown provider %s: the providers are %s", shown(name), strings.Join(fleet.Names(), ", "))
				continue
			}
			used[name] = true
			if id == "" {
				continue
			}
			n++
			c.IDs[name] = id
			rs.id(a, base, s.Key, keyOK, name, id)
		}
		rs.counted(n)
		canon = append(canon, c)
	}
	for _, name := range fleet.Names() {
		if used[name] {
			f.Providers = append(f.Providers, name)
		}
	}
	if len(f.Providers) == 0 && p.Count == 0 {
		p.add(at{pointer: "/subjects"}, "no provider: no subject has an ID at any of %s", strings.Join(fleet.Names(), ", "))
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	// encoding/json writes map keys sorted: the encoding is canonical.
	b, err := json.Marshal(canon)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(b)
	f.Sum = hex.EncodeToString(sum[:])
	f.list = canon
	return f, nil
}

// PointerToken escapes a JSON pointer's reference token (RFC 6901), for
// a problem's Pointer.
func PointerToken(s string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(s)
}

func (f *File) streamList() iter.Seq2[bulk.Subject, error] {
	return func(yield func(bulk.Subject, error) bool) {
		for _, s := range f.list {
			if !yield(bulk.Subject{Key: s.Key, IDs: maps.Clone(s.IDs)}, nil) {
				return
			}
		}
	}
}
