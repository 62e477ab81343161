package console

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"sync"
	"time"
)

// Drafts are new runs checked and awaiting confirmation. They are kept in
// the server, so that what is confirmed is exactly what was checked: the
// browser holds only the draft's ID.
const (
	// draftTTL is how long a checked run may wait for its confirmation.
	draftTTL = 15 * time.Minute
	// draftsPerOwner bounds the drafts of one session: each holds a
	// subjects file in memory.
	draftsPerOwner = 4
	// maxDraftBytes bounds the subjects files all drafts hold together,
	// the oldest dropped first: eight of the largest uploads.
	maxDraftBytes = 8 * maxUpload
)

// draft is a checked run: what the form gave, and what it planned.
type draft struct {
	owner   string
	expires time.Time
	size    int // the bytes of its subjects
	value   *newRunDraft
}

// draftStore holds the drafts of every session.
type draftStore struct {
	mu     sync.Mutex
	drafts map[string]*draft
	order  []string // IDs, oldest first
	bytes  int      // the sizes of every draft
}

func newDraftStore() *draftStore { return &draftStore{drafts: map[string]*draft{}} }

// draftOwner binds a draft to its session: the principal's name and a
// hash of its session's CSRF token (empty for a bearer token), so that
// neither another session nor another token can confirm it. Only the
// hash is kept.
func draftOwner(p *principal) string {
	h := sha256.Sum256([]byte(p.CSRF))
	return p.Name + "\x00" + base64.RawURLEncoding.EncodeToString(h[:])
}

// put keeps v, of size bytes of subjects, for owner until now+draftTTL
// and returns its ID; it drops the owner's oldest draft past
// draftsPerOwner, and the oldest of all past maxDraftBytes.
func (ds *draftStore) put(owner string, now time.Time, size int, v *newRunDraft) string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	id := base64.RawURLEncoding.EncodeToString(b)
	ds.mu.Lock()
	defer ds.mu.Unlock()
	ds.expire(now)
	n := 0
	for i := len(ds.order) - 1; i >= 0; i-- {
		if d := ds.drafts[ds.order[i]]; d.owner == owner {
			if n++; n >= draftsPerOwner {
				ds.remove(ds.order[i])
			}
		}
	}
	for len(ds.order) > 0 && ds.bytes+size > maxDraftBytes {
		ds.remove(ds.order[0])
	}
	ds.drafts[id] = &draft{owner: owner, expires: now.Add(draftTTL), size: size, value: v}
	ds.order = append(ds.order, id)
	ds.bytes += size
	return id
}

// take removes and returns owner's draft id, if it is there and not
// expired: a draft is confirmed once.
func (ds *draftStore) take(owner, id string, now time.Time) (*newRunDraft, bool) {
	ds.mu.Lock()
	defer ds.mu.Unlock()
	ds.expire(now)
	d, ok := ds.drafts[id]
	if !ok || d.owner != owner {
		return nil, false
	}
	ds.remove(id)
	return d.value, true
}

// expire drops the drafts past their time; ds.mu is held.
func (ds *draftStore) expire(now time.Time) {
	for len(ds.order) > 0 {
		d := ds.drafts[ds.order[0]]
		if now.Before(d.expires) {
			return
		}
		ds.bytes -= d.size
		delete(ds.drafts, ds.order[0])
		ds.order = ds.order[1:]
	}
}

// remove drops draft id; ds.mu is held.
func (ds *draftStore) remove(id string) {
	if d := ds.drafts[id]; d != nil {
		ds.bytes -= d.size
	}
	delete(ds.drafts, id)
	for i, o := range ds.order {
		if o == id {
			ds.order = append(ds.order[:i], ds.order[i+1:]...)
			return
		}
	}
}
