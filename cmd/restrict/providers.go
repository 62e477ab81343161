package main

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/bulk"
	"github.com/restrictkit/restrict/internal/fleet"
)

// limitFlags are the repeatable --rate and --concurrency flags, PROVIDER=N.
type limitFlags struct {
	rate        []string
	concurrency []string
}

// parse turns the flags into limits per provider, refusing an unknown
// provider or a number that cannot be one.
func (l limitFlags) parse() (map[string]bulk.Limits, error) {
	out := map[string]bulk.Limits{}
	set := func(flag, v string, apply func(*bulk.Limits, float64) error) error {
		name, num, ok := strings.Cut(v, "=")
		if !ok {
			return usagef("--%s %q: want PROVIDER=N, for example --%s purse=50", flag, v, flag)
		}
		name = strings.TrimSpace(name)
		if _, known := fleet.Lookup(name); !known {
			return usagef("--%s %q: unknown provider %q; the providers are %s", flag, v, name, strings.Join(fleet.Names(), ", "))
		}
		n, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
		if err != nil || n <= 0 {
			return usagef("--%s %q: N must be a number above 0", flag, v)
		}
		lim := out[name]
		if err := apply(&lim, n); err != nil {
			return usagef("--%s %q: %v", flag, v, err)
		}
		out[name] = lim
		return nil
	}
	for _, v := range l.rate {
		if err := set("rate", v, func(lim *bulk.Limits, n float64) error { lim.Rate = n; return nil }); err != nil {
			return nil, err
		}
	}
	for _, v := range l.concurrency {
		if err := set("concurrency", v, func(lim *bulk.Limits, n float64) error {
			if n != float64(int(n)) {
				return errors.New("the number of calls at once must be a whole number")
			}
			lim.Concurrency = int(n)
			return nil
		}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

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

// shellQuote quotes s for a POSIX shell, as an operator would paste it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=@+,", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
