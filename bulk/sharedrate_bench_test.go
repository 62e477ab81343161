package bulk_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/bulk"
	"github.com/restrictkit/restrict/internal/fleet"
)

// sharedRate is BenchmarkSharedRate's limit of provider, requests per second: purse
// at 50, the others at 100.
func sharedRate(provider string) float64 {
	if provider == "purse" {
		return 50
	}
	return 100
}

// counted is a provider's fake behind a proxy that notes when each request
// reached it.
type counted struct {
	mu sync.Mutex
	at []time.Time
}

func (c *counted) times() []time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.at)
}

// BenchmarkSharedRate runs 2,000 subjects x 5 providers with 4 worker
// processes (TestSharedRateChild) on one Postgres against the five fakes,
// purse limited to 50 requests/s and the others to 100/s, every worker
// started with those rates. The requests are counted at the fakes (a
// proxy in front of each notes when each arrives): window-ratio is the
// most requests any provider received in a 5-second window over its limit
// for 5 s (target at most 1.05), bound-ratio the time from purse's first
// request to its last over the bound, 2,000 / 50 = 40 s (target at most
// 1.10). BULK_BENCH_WORKERS changes the number of processes.
func BenchmarkSharedRate(b *testing.B) {
	n := benchSubjects(2_000)
	workers := benchEnv("BULK_BENCH_WORKERS", 4)
	for b.Loop() {
		dsn, schema := testSchema(b)
		var env []string
		fakes := map[string]*counted{}
		ids := map[string][]string{}
		for _, p := range fleet.Providers {
			f := p.StartFake(nil)
			b.Cleanup(f.Close)
			for i := range n {
				ids[p.Name] = append(ids[p.Name], f.Seed(i))
			}
			c := &counted{}
			fakes[p.Name] = c
			target, err := url.Parse(f.Values["BASE_URL"])
			require.NoError(b, err)
			// The base URL's path stays in BASE_URL: the proxy adds only
			// the host.
			proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: target.Scheme, Host: target.Host})
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				c.mu.Lock()
				c.at = append(c.at, time.Now())
				c.mu.Unlock()
				proxy.ServeHTTP(w, r)
			}))
			b.Cleanup(srv.Close)
			for k, v := range f.Values {
				if k == "BASE_URL" {
					v = srv.URL + strings.TrimPrefix(f.Values["BASE_URL"], target.Scheme+"://"+target.Host)
				}
				env = append(env, p.Env(k)+"="+v)
			}
		}
		env = append(env, "BULK_SHARED_DSN="+dsn, "BULK_SHARED_SCHEMA="+schema, "BULK_SHARED_RUN=shared")

		var children []*child
		for range workers {
			children = append(children, startTestProcess(b, "TestSharedRateChild", env...))
		}
		for _, c := range children {
			c.ready(b)
		}
		e, err := bulk.Open(context.Background(), dsn, bulk.Config{Schema: schema})
		require.NoError(b, err)
		b.Cleanup(func() { _ = e.Close() })
		subjects := make([]bulk.Subject, n)
		for i := range subjects {
			m := map[string]string{}
			for p, list := range ids {
				m[p] = list[i]
			}
			subjects[i] = bulk.Subject{Key: fmt.Sprintf("c%05d", i), IDs: m}
		}
		_, err = e.Submit(context.Background(), bulk.Run{Name: "shared", Op: restrict.OpRestrict}, bulk.Subjects(subjects...))
		require.NoError(b, err)
		for _, c := range children {
			c.wait(b)
		}
		pr, err := e.Progress(context.Background(), "shared")
		require.NoError(b, err)
		if pr.All.OK != int64(n*len(fleet.Providers)) {
			for o, err := range e.Outcomes(context.Background(), bulk.Filter{Run: "shared", Result: bulk.ResultFailed}) {
				require.NoError(b, err)
				b.Fatalf("not every job ok: %+v; %s %+v", pr.All, o.Provider, o.Error)
			}
		}

		worst := 0.0
		for name, c := range fakes {
			at := c.times()
			limit := sharedRate(name)
			ratio := float64(busiest(at, 5*time.Second)) / (limit * 5)
			b.Logf("%s: %d requests, busiest 5 s %.3f of the limit, %s from first to last", name, len(at), ratio,
				at[len(at)-1].Sub(at[0]).Round(time.Millisecond))
			worst = max(worst, ratio)
		}
		purse := fakes["purse"].times()
		bound := time.Duration(float64(n) / sharedRate("purse") * float64(time.Second))
		b.ReportMetric(worst, "window-ratio")
		b.ReportMetric(purse[len(purse)-1].Sub(purse[0]).Seconds()/bound.Seconds(), "bound-ratio")
	}
}

// TestSharedRateChild is one worker process of BenchmarkSharedRate: the
// five providers' real clients, configured from the environment as the
// command's are, at sharedRate each, until the run is finished.
func TestSharedRateChild(t *testing.T) {
	dsn := os.Getenv("BULK_SHARED_DSN")
	if dsn == "" {
		t.Skip("runs only as a child process of BenchmarkSharedRate")
	}
	ctx := context.Background()
	e, err := bulk.Open(ctx, dsn, bulk.Config{Schema: os.Getenv("BULK_SHARED_SCHEMA")})
	require.NoError(t, err)
	defer e.Close()
	for _, p := range fleet.Providers {
		v, _ := p.Read(os.Getenv)
		c, err := p.New(v)
		require.NoError(t, err)
		require.NoError(t, e.Register(p.Name, c, bulk.Limits{Rate: sharedRate(p.Name)}))
	}
	require.NoError(t, e.Start(ctx))
	fmt.Println("READY")
	wctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	for {
		_, err = e.Wait(wctx, os.Getenv("BULK_SHARED_RUN"))
		if !errors.Is(err, bulk.ErrRunNotFound) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	require.NoError(t, err)
	require.NoError(t, e.Stop(ctx))
}
