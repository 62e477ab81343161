package console

import (
	"math"
	"net"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

const (
	// loginEvery is how often an address may fail a login once its
	// burst is spent: guessing at one attempt per two seconds is
	// hopeless against a token of 32 characters, and a person who
	// mistyped waits no longer than it takes to paste again.
	loginEvery = 2 * time.Second
	// loginBurst is how many failures an address may have at once: a
	// few mistakes are not an attack.
	loginBurst = 5
	// throttleMax bounds the addresses remembered, so that failures from
	// many addresses cannot grow the map without end.
	throttleMax = 10000
)

// throttle slows failed logins per client address. Only failures keep
// their attempt, so a person who gets in is never slowed.
type throttle struct {
	now func() time.Time

	mu        sync.Mutex
	addrs     map[string]*addrLimit
	lastPurge time.Time
}

type addrLimit struct {
	lim  *rate.Limiter
	last time.Time
}

func newThrottle(now func() time.Time) *throttle {
	return &throttle{now: now, addrs: map[string]*addrLimit{}}
}

// attempt spends one of addr's attempts before its token is checked,
// so that parallel guesses cannot overdraw the burst. It gives how long
// addr must wait when none is left, or done, which hands the attempt
// back after a success.
func (t *throttle) attempt(addr string) (done func(ok bool), wait time.Duration) {
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	a := t.addrs[addr]
	if a == nil {
		t.purgeLocked(now)
		a = &addrLimit{lim: rate.NewLimiter(rate.Every(loginEvery), loginBurst)}
		t.addrs[addr] = a
	}
	a.last = now
	res := a.lim.ReserveN(now, 1)
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return nil, d
	}
	return func(ok bool) {
		// Cancelled as of the reservation's own time: a reservation
		// already in the past is never refunded.
		if ok {
			res.CancelAt(now)
		}
	}, 0
}

// purgeLocked forgets addresses whose limiter is full again (forgetting
// them changes nothing) and, past throttleMax, any address: an attacker
// with that many addresses gains little from a fresh burst on one.
func (t *throttle) purgeLocked(now time.Time) {
	if len(t.addrs) < throttleMax && now.Sub(t.lastPurge) < time.Minute {
		return
	}
	t.lastPurge = now
	idle := loginEvery * loginBurst
	for k, a := range t.addrs {
		if now.Sub(a.last) >= idle {
			delete(t.addrs, k)
		}
	}
	for k := range t.addrs {
		if len(t.addrs) < throttleMax {
			break
		}
		delete(t.addrs, k)
	}
}

// retryAfter is d in whole seconds, rounded up, as Retry-After wants.
func retryAfter(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}

// clientAddr is the host of the request's peer: a port changes with
// every connection, so it would not slow anyone.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// throttleKey is whom addr's failures count against: the address, or
// for IPv6 its /64, which is what one machine is usually given; counting
// each address of it would give one attacker 2^64 fresh bursts.
func throttleKey(addr string) string {
	ip := net.ParseIP(addr)
	if ip == nil || ip.To4() != nil {
		return addr
	}
	return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
}
