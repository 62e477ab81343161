package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/fleet"
)

// clients builds the client of every provider named, from its
// RESTRICT_<PROVIDER>_* settings. where says how a missing configuration
// is reported: the subjects file's column, or the worker.
func (a *app) clients(names []string, where func(name string) string) (map[string]fleet.Client, error) {
	out := map[string]fleet.Client{}
	var errs []string
	for _, name := range names {
		p, _ := fleet.Lookup(name)
		v, set := p.Read(a.env)
		if !set {
			var vars []string
			for _, vr := range p.Vars {
				vars = append(vars, p.Env(vr.Name))
			}
			errs = append(errs, fmt.Sprintf("%s: no credentials: set its %s* variables (%s)", where(name), fleet.Prefix(name), strings.Join(vars, ", ")))
			continue
		}
		c, err := p.New(v, restrict.WithLogger(a.logger))
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s: %v", where(name), err))
			continue
		}
		out[name] = c
	}
	if len(errs) > 0 {
		return nil, usagef("%s", strings.Join(errs, "\n"))
	}
	return out, nil
}

// configured lists the providers whose RESTRICT_<PROVIDER>_* settings are
// set at all.
func (a *app) configured() []string {
	var names []string
	for _, p := range fleet.Providers {
		if _, set := p.Read(a.env); set {
			names = append(names, p.Name)
		}
	}
	sort.Strings(names)
	return names
}
