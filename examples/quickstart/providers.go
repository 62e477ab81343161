package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/fleet"
)

// provider is one configured binding: a client, what to restrict there, and
// how to release what was started for it.
type provider struct {
	name   string
	client restrict.Restrictor
	target string
	where  string // "fake", or the real API's host
	close  func()
}

// errConfig marks a mistake in the environment: exit status 2, not 1.
var errConfig = errors.New("configuration error")

// setup binds p to its real API when any of its variables is set, and to
// its fake otherwise: a fake started with p's fixed made-up credentials
// (fleet.Provider.FakeCredentials, which the tests look for in the output)
// and seeded with one customer, wallet or account to restrict.
func setup(p fleet.Provider, getenv func(string) string, logger *slog.Logger) (*provider, error) {
	if real, err := realProvider(p, getenv, logger); real != nil || err != nil {
		return real, err
	}
	f := p.StartFake(p.FakeCredentials)
	c, err := f.Client(restrict.WithLogger(logger))
	if err != nil {
		f.Close()
		return nil, err
	}
	return &provider{name: p.Name, client: c, target: f.Seed(1), where: "fake", close: f.Close}, nil
}

// realProvider builds the provider's client for its real API when any of
// its RESTRICT_<PROVIDER>_* variables is set (internal/fleet reads them, as
// cmd/restrict does), with RESTRICT_<PROVIDER>_TARGET as the target. Once
// one is set, every required one must be: the error names all that are
// missing, rather than falling back to the fake.
func realProvider(p fleet.Provider, getenv func(string) string, logger *slog.Logger) (*provider, error) {
	v, set := p.Read(getenv)
	target := strings.TrimSpace(getenv(p.Env("TARGET")))
	if !set && target == "" {
		return nil, nil
	}
	var problems []string
	if target == "" {
		problems = append(problems, p.Env("TARGET")+" is not set")
	}
	c, err := p.New(v, restrict.WithLogger(logger))
	if err != nil {
		problems = append(problems, err.Error())
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%w: some %s* variables are set, so the real API is used, but: %s",
			errConfig, fleet.Prefix(p.Name), strings.Join(problems, "; "))
	}
	return &provider{name: p.Name, client: c, target: target, where: host(v["BASE_URL"], p.DefaultBaseURL), close: noClose}, nil
}

// host names a real API in the table without its path or anything else.
func host(rawURL, fallback string) string {
	if rawURL == "" {
		rawURL = fallback
	}
	if u, err := url.Parse(rawURL); err == nil && u.Host != "" {
		return u.Host
	}
	return "real API"
}

func noClose() {}
