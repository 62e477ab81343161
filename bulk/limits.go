package bulk

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"slices"
	"time"
)

// Limit is a provider's limit as the database holds it: on Postgres every
// process working the database keeps to it together; on SQLite, worked by
// one process, it is that process's. Any process may read or change it
// while a run is in progress (Engine.SetRate, Engine.SetConcurrency), and
// every worker follows within limitPoll.
type Limit struct {
	// Provider is the provider's name.
	Provider string `json:"provider"`
	// Rate is the most HTTP requests per second the provider is sent,
	// retries included, by all processes together. 0 means the database
	// holds none, as when it has no row: each process keeps its own
	// Limits.Rate, and the next one started with a Limits.Rate writes it.
	Rate float64 `json:"rate"`
	// InForce is Rate as slowed down after the provider's 429s: halved on
	// each (at most once a second, down to 1/16 of Rate), given back by
	// 1/32 of Rate per success.
	InForce float64 `json:"in_force"`
	// Concurrency is the most calls in flight to the provider across all
	// processes, shared between the processes working it; 0 means each
	// process's own Limits.Concurrency only.
	Concurrency int `json:"concurrency"`
	// Workers counts the processes working the provider now.
	Workers int `json:"workers"`
	// UpdatedAt and UpdatedBy say when and by whom (a worker's
	// client ID, or the name SetRate was given) the limit was last set.
	UpdatedAt time.Time `json:"updated_at"`
	UpdatedBy string    `json:"updated_by"`
}

const (
	// limitPoll is how often a working engine reads the limits and says
	// it is alive.
	limitPoll = time.Second
	// holderGone is how long after its last poll a process no longer
	// counts for a provider's concurrency: its share returns to the
	// others then.
	holderGone = 3 * time.Second
	// slowEvery is how often the fleet halves a provider's rate at most:
	// one burst of 429s, seen by many workers at once, halves it once.
	slowEvery = time.Second
)

// limits reads every provider's limit.
func (r reader) limits(ctx context.Context) ([]Limit, error) {
	live := time.Now().UTC().Add(-holderGone)
	rows, err := r.db.QueryContext(ctx, r.sq.bind(`SELECT l.provider, l.rate, l.slowed, l.concurrency, l.updated_at, l.updated_by,
		(SELECT count(*) FROM {p}restrict_bulk_limit_holder h WHERE h.provider = l.provider AND h.seen_at >= ?)
		FROM {p}restrict_bulk_limit l ORDER BY l.provider`), live)
	if err != nil {
		return nil, fmt.Errorf("bulk: limits: %w", err)
	}
	defer rows.Close()
	var out []Limit
	for rows.Next() {
		var l Limit
		var slowed float64
		if err := rows.Scan(&l.Provider, &l.Rate, &slowed, &l.Concurrency, &l.UpdatedAt, &l.UpdatedBy, &l.Workers); err != nil {
			return nil, fmt.Errorf("bulk: limits: %w", err)
		}
		l.UpdatedAt = l.UpdatedAt.UTC()
		l.InForce = l.Rate * slowed
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("bulk: limits: %w", err)
	}
	return out, nil
}

// Limits returns every provider's limit the database holds, by name.
func (e *Engine) Limits(ctx context.Context) ([]Limit, error) { return e.read.limits(ctx) }

// Limits returns every provider's limit the database holds, by name.
func (r *Reader) Limits(ctx context.Context) ([]Limit, error) { return r.read.limits(ctx) }

// SetRate sets provider's rate in the database (0: none, see
// Limit.Rate), for every process working it, and ends any slow-down; by
// names who set it (UpdatedBy).
func (e *Engine) SetRate(ctx context.Context, provider string, perSecond float64, by string) error {
	if err := validProvider(provider); err != nil {
		return err
	}
	if perSecond < 0 || math.IsNaN(perSecond) || math.IsInf(perSecond, 0) {
		return fmt.Errorf("bulk: rate of %s: %v is not a number of requests per second", provider, perSecond)
	}
	return e.setLimit(ctx, provider, by, `rate = ?, slowed = 1`, perSecond)
}

// SetConcurrency sets provider's calls in flight across all processes in
// the database (0: each process's own only); by names who set it.
func (e *Engine) SetConcurrency(ctx context.Context, provider string, n int, by string) error {
	if err := validProvider(provider); err != nil {
		return err
	}
	if n < 0 {
		return fmt.Errorf("bulk: concurrency of %s: %d is negative", provider, n)
	}
	return e.setLimit(ctx, provider, by, `concurrency = ?`, n)
}

func (e *Engine) setLimit(ctx context.Context, provider, by, set string, v any) error {
	now := time.Now().UTC()
	err := e.st.inTx(ctx, func(t execer) error {
		if _, err := t.exec(ctx, e.st.bind(`INSERT INTO {p}restrict_bulk_limit (provider, updated_at, updated_by) VALUES (?, ?, ?)
			ON CONFLICT (provider) DO NOTHING`), provider, now, by); err != nil {
			return err
		}
		_, err := t.exec(ctx, e.st.bind(`UPDATE {p}restrict_bulk_limit SET `+set+`, updated_at = ?, updated_by = ? WHERE provider = ?`), v, now, by, provider)
		return err
	})
	if err != nil {
		return fmt.Errorf("bulk: limit of %s: %w", provider, err)
	}
	return nil
}

// limitsOn puts the database's limits in force for the registered
// providers, holder being this process: it writes the rates it was given
// where the database holds none (claimLimits) and applies what it holds.
func (e *Engine) limitsOn(ctx context.Context, holder string) error {
	if e.st.manyWorkers() {
		for _, p := range e.providers.all() {
			p.limiter.slots = &slots{lease: e.leaseFor(p.name)}
		}
	}
	if err := e.claimLimits(ctx, holder); err != nil {
		return err
	}
	if err := e.pollLimits(ctx, holder); err != nil {
		return fmt.Errorf("bulk: limits: %w", err)
	}
	return nil
}

// FollowLimits keeps the bulk worker that a River client of the caller's
// own works (AddWorkers) to the database's limits, as Start does for the
// engine's own client: it writes the registered providers' Limits.Rate
// where the database holds none, applies the database's limits, and then
// follows them every second, until ctx ends. Without it such a worker
// keeps each Limits.Rate in its process alone. Call it once, after
// Register, in a goroutine of its own (go e.FollowLimits(ctx)); it
// returns the error that kept it from starting, or ctx's once it ends.
func (e *Engine) FollowLimits(ctx context.Context) error {
	e.life.Lock()
	if e.working || e.following {
		e.life.Unlock()
		return errors.New("bulk: the limits are followed already (Start, or FollowLimits)")
	}
	e.following = true
	e.life.Unlock()
	defer func() {
		e.life.Lock()
		e.following = false
		e.life.Unlock()
	}()
	host, _ := os.Hostname()
	holder := fmt.Sprintf("%s_%d_%s", host, os.Getpid(), time.Now().UTC().Format("20060102T150405.000000"))
	if err := e.limitsOn(ctx, holder); err != nil {
		return err
	}
	e.followLimits(ctx, holder)
	return ctx.Err()
}

// claimLimits writes, for each registered provider with a Limits.Rate,
// that rate as the database's if it holds none yet (no row, or a rate of
// 0): the first process to
// start with a rate sets it, and a process starting later with another
// rate keeps to the database's (the command says which is in force).
func (e *Engine) claimLimits(ctx context.Context, holder string) error {
	now := time.Now().UTC()
	return e.st.inTx(ctx, func(t execer) error {
		for _, p := range e.providers.all() {
			if p.limits.Rate <= 0 {
				continue
			}
			if _, err := t.exec(ctx, e.st.bind(`INSERT INTO {p}restrict_bulk_limit (provider, rate, updated_at, updated_by) VALUES (?, ?, ?, ?)
				ON CONFLICT (provider) DO UPDATE SET rate = excluded.rate, slowed = 1, updated_at = excluded.updated_at, updated_by = excluded.updated_by
				WHERE {p}restrict_bulk_limit.rate = 0`), p.name, p.limits.Rate, now, holder); err != nil {
				return fmt.Errorf("bulk: limit of %s: %w", p.name, err)
			}
		}
		return nil
	})
}

// followLimits polls the limits every limitPoll until ctx ends: it says
// this process is alive for each provider it works, writes the 429s and
// successes its workers saw into the shared slow-down, and applies what
// the database holds to every provider's limiter.
func (e *Engine) followLimits(ctx context.Context, holder string) {
	t := time.NewTicker(limitPoll)
	defer t.Stop()
	for {
		if err := e.pollLimits(ctx, holder); err != nil && ctx.Err() == nil {
			// The limiters keep what they had; the database's outage is
			// reported by the journal's writes.
			e.cfg.Logger.DebugContext(ctx, "bulk: could not read the limits", slog.String("error", err.Error()))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

type heldLimit struct {
	found       bool
	rate        float64
	slowed      float64
	concurrency int
	holders     []string
	joined      time.Time // when this process began to work the provider
}

func (e *Engine) pollLimits(ctx context.Context, holder string) error {
	ctx, cancel := context.WithTimeout(ctx, limitPoll)
	defer cancel()
	now := time.Now().UTC()
	providers := e.providers.all()
	held := make(map[string]*heldLimit, len(providers))
	err := e.st.inTx(ctx, func(t execer) error {
		for _, p := range providers {
			held[p.name] = &heldLimit{}
			// Successes first: they came before this poll's 429s, and
			// must not make up for them at once.
			if n := p.limiter.credit.Swap(0); n > 0 {
				if _, err := t.exec(ctx, e.st.bind(`UPDATE {p}restrict_bulk_limit
					SET slowed = CASE WHEN slowed + ? >= 1 THEN 1 ELSE slowed + ? END
					WHERE provider = ? AND slowed < 1`), float64(n)/32, float64(n)/32, p.name); err != nil {
					return err
				}
			}
			if p.limiter.slowDown.Swap(false) {
				if _, err := t.exec(ctx, e.st.bind(`UPDATE {p}restrict_bulk_limit
					SET slowed = CASE WHEN slowed / 2 < 0.0625 THEN 0.0625 ELSE slowed / 2 END, slowed_at = ?
					WHERE provider = ? AND (slowed_at IS NULL OR slowed_at < ?)`), now, p.name, now.Add(-slowEvery)); err != nil {
					return err
				}
			}
			if _, err := t.exec(ctx, e.st.bind(`INSERT INTO {p}restrict_bulk_limit_holder (provider, holder, joined_at, seen_at) VALUES (?, ?, ?, ?)
				ON CONFLICT (provider, holder) DO UPDATE SET seen_at = excluded.seen_at`), p.name, holder, now, now); err != nil {
				return err
			}
		}
		if _, err := t.exec(ctx, e.st.bind(`DELETE FROM {p}restrict_bulk_limit_holder WHERE seen_at < ?`), now.Add(-10*holderGone)); err != nil {
			return err
		}
		err := t.query(ctx, e.st.bind(`SELECT provider, rate, slowed, concurrency FROM {p}restrict_bulk_limit`), nil, func(scan func(...any) error) error {
			var name string
			var h heldLimit
			if err := scan(&name, &h.rate, &h.slowed, &h.concurrency); err != nil {
				return err
			}
			if p := held[name]; p != nil {
				h.found = true
				*p = h
			}
			return nil
		})
		if err != nil {
			return err
		}
		return t.query(ctx, e.st.bind(`SELECT provider, holder, joined_at FROM {p}restrict_bulk_limit_holder WHERE seen_at >= ? ORDER BY provider, holder`),
			[]any{now.Add(-holderGone)}, func(scan func(...any) error) error {
				var name, h string
				var joined time.Time
				if err := scan(&name, &h, &joined); err != nil {
					return err
				}
				if p := held[name]; p != nil {
					p.holders = append(p.holders, h)
					if h == holder {
						p.joined = joined
					}
				}
				return nil
			})
	})
	if err != nil {
		return err
	}
	for _, p := range providers {
		h := held[p.name]
		n := share(h.concurrency, h.holders, holder)
		if n > 0 && len(h.holders) > 1 && now.Sub(h.joined) < limitPoll+limitPoll/4 {
			// The others count this process only from their next poll
			// on; until then their shares are the whole.
			n = 0
		}
		p.limiter.follow(h.found, h.rate, h.slowed, n)
	}
	return nil
}

// share is holder's part of concurrency among holders (sorted): an equal
// part each, the remainder to the first ones, so that the parts add up to
// concurrency exactly; -1 (no bound) when concurrency is 0.
func share(concurrency int, holders []string, holder string) int {
	if concurrency <= 0 {
		return -1
	}
	i, found := slices.BinarySearch(holders, holder)
	if !found {
		return 0
	}
	n := concurrency / len(holders)
	if i < concurrency%len(holders) {
		n++
	}
	return n
}

// leaseFor is the lease of provider's request slots from the store.
func (e *Engine) leaseFor(provider string) leaseFunc {
	return func(ctx context.Context, n int) (time.Time, time.Duration, error) {
		return e.st.leaseSlots(ctx, provider, n)
	}
}
