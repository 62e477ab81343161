package fleet

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"time"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/restricttest"
)

// FakeServer is what every <name>test server offers, through the
// restricttest.Server it embeds.
type FakeServer interface {
	BaseURL() string
	Handler() http.Handler
	Close()
	Inject(...restricttest.Fault)
	Requests() int
	SetClock(func() time.Time)
}

// Fake is one provider's fake, started on loopback.
type Fake struct {
	Provider Provider
	// Server is the provider's <name>test server; a type assertion
	// reaches its own helpers.
	Server FakeServer
	// Values are the settings of a client of the fake: the credentials
	// it accepts and BASE_URL.
	Values Values
	// Seed creates the i-th customer (wallet, account) at the fake and
	// returns the ID that targets it. i makes the customer's other fields
	// unique; the ID is the fake's to choose.
	Seed func(i int) string
}

// fakeKit is how the fleet starts one provider's fake.
type fakeKit struct {
	random  func() Values                                       // fresh credentials
	start   func(creds Values) (FakeServer, func(i int) string) // the server and its seed
	mounted func(v Values, root string)                         // settings a mounted fake needs beyond BASE_URL
}

// StartFake starts p's fake on loopback, accepting exactly creds (the
// credential variables by Var.Name, no BASE_URL), or fresh random
// credentials when creds is nil. Close the fake when done.
func (p Provider) StartFake(creds Values) *Fake {
	if creds == nil {
		creds = p.fake.random()
	}
	srv, seed := p.fake.start(creds)
	v := maps.Clone(creds)
	v["BASE_URL"] = srv.BaseURL()
	return &Fake{Provider: p, Server: srv, Values: v, Seed: seed}
}

// StartFakes starts every provider's fake with fresh random credentials,
// in the order of Providers.
func StartFakes() []*Fake {
	out := make([]*Fake, len(Providers))
	for i, p := range Providers {
		out[i] = p.StartFake(nil)
	}
	return out
}

// Client builds the provider's client of the fake from its Values, with
// opts after them.
func (f *Fake) Client(opts ...restrict.Option) (Client, error) {
	return f.Provider.New(f.Values, opts...)
}

// Close shuts the fake's server down.
func (f *Fake) Close() { f.Server.Close() }

// MountedValues are the settings of a client that reaches the fake's
// Handler mounted under root (a URL with no trailing slash) instead of at
// its own server: BASE_URL is root and the fake's base path.
func (f *Fake) MountedValues(root string) (Values, error) {
	base, err := url.Parse(f.Server.BaseURL())
	if err != nil {
		return nil, err
	}
	v := maps.Clone(f.Values)
	v["BASE_URL"] = root + base.Path
	if f.Provider.fake.mounted != nil {
		f.Provider.fake.mounted(v, root)
	}
	return v, nil
}

// randomCredential is prefix and 24 random hex digits: made up, and never
// the same twice.
func randomCredential(prefix string) string { return prefix + "-" + randomHex(12) }

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read does not fail on supported platforms
	return hex.EncodeToString(b)
}

func randomUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
