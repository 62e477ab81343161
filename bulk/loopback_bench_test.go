package bulk_test

import (
	"crypto/rand"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/bulk"
	"github.com/restrictkit/restrict/cryptomus"
	"github.com/restrictkit/restrict/cryptomus/cryptomustest"
	"github.com/restrictkit/restrict/customerv2"
	"github.com/restrictkit/restrict/customerv2/customerv2test"
	"github.com/restrictkit/restrict/kpayment"
	"github.com/restrictkit/restrict/kpayment/kpaymenttest"
	"github.com/restrictkit/restrict/purse"
	"github.com/restrictkit/restrict/purse/pursetest"
	"github.com/restrictkit/restrict/walletplatform"
	"github.com/restrictkit/restrict/walletplatform/walletplatformtest"
)

// loopbackRate is each provider's limit in BenchmarkLoopback, requests per
// second.
const loopbackRate = 100

// fakeProviders starts the five providers' fakes on loopback, seeds each
// with n customers (wallets, accounts), and returns a client per provider
// and the seeded IDs, indexed like the subjects.
func fakeProviders(b *testing.B, n int) (map[string]restrict.Restrictor, map[string][]string) {
	b.Helper()
	clients := map[string]restrict.Restrictor{}
	ids := map[string][]string{}

	ccreds := cryptomus.Credentials{MerchantID: "8b03432e-385b-4670-8d06-064591096795", PaymentKey: "bench-cryptomus-key"}
	cm := cryptomustest.NewServer(ccreds)
	b.Cleanup(cm.Close)
	c1, err := cryptomus.New(ccreds, restrict.WithBaseURL(cm.BaseURL()))
	require.NoError(b, err)
	clients[cryptomus.Provider] = c1

	kuna := customerv2.Credentials{APIKey: "bench-kunacore-key"}
	cv := customerv2test.NewServer(kuna)
	b.Cleanup(cv.Close)
	c2, err := customerv2.New(kuna, restrict.WithBaseURL(cv.BaseURL()))
	require.NoError(b, err)
	clients[customerv2.Provider] = c2

	kcreds := kpayment.Credentials{Username: "bench-subscriber", Password: "bench-kpayment-password"}
	kp := kpaymenttest.NewServer(kcreds)
	b.Cleanup(kp.Close)
	c3, err := kpayment.New(kcreds, restrict.WithBaseURL(kp.BaseURL()))
	require.NoError(b, err)
	clients[kpayment.Provider] = c3

	pcreds := purse.Credentials{Account: "0x00000000000000000000000000000000000000bb", Key: "bench-purse-key", Secret: "bench-purse-secret"}
	ps := pursetest.NewServer(pcreds)
	b.Cleanup(ps.Close)
	c4, err := purse.New(pcreds, restrict.WithBaseURL(ps.BaseURL()))
	require.NoError(b, err)
	clients[purse.Provider] = c4

	wcreds := walletplatform.Credentials{APIKey: "bench-sabi-key", Username: "bench@example.com", PassID: "bench-pass-id"}
	wp := walletplatformtest.NewServer(wcreds)
	b.Cleanup(wp.Close)
	c5, err := walletplatform.New(wcreds, restrict.WithBaseURL(wp.BaseURL()))
	require.NoError(b, err)
	clients[walletplatform.Provider] = c5

	for i := range n {
		ids[cryptomus.Provider] = append(ids[cryptomus.Provider], cm.AddWallet(cryptomustest.Wallet{OrderID: fmt.Sprintf("bench-%d", i)}).UUID)
		ids[customerv2.Provider] = append(ids[customerv2.Provider], cv.AddCustomer(customerv2.Customer{Email: fmt.Sprintf("c%d@example.com", i), FirstName: "Bench", LastName: "Mark", Country: "UA"}).ID)
		ids[kpayment.Provider] = append(ids[kpayment.Provider], kp.AddCustomer(kpaymenttest.Customer{}).UUID)
		ids[purse.Provider] = append(ids[purse.Provider], ps.AddCustomer(purse.Customer{Email: fmt.Sprintf("c%d@example.com", i), ExternalID: fmt.Sprintf("ext-%d", i)}).ID)
		id := uuid()
		wp.AddAccount(id)
		ids[walletplatform.Provider] = append(ids[walletplatform.Provider], id)
	}
	return clients, ids
}

func uuid() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// BenchmarkLoopback runs 2,000 subjects x 5 providers through the real
// clients against the five fakes over loopback, each provider limited to
// 100 requests/s and 20 jobs at once: the bound is 20 s (2,000 calls per provider at 100/s),
// and the target is at most 1.10x that. bound-ratio is the wall time of the
// work phase over the bound.
func BenchmarkLoopback(b *testing.B) {
	n := benchSubjects(2_000)
	benchDatabases(b, func(b *testing.B, db string) {
		for i := 0; b.Loop(); i++ {
			clients, ids := fakeProviders(b, n)
			e := benchOpen(b, db, benchConfig())
			for name, c := range clients {
				require.NoError(b, e.Register(name, c, bulk.Limits{Concurrency: benchEnv("BULK_BENCH_CONCURRENCY", 20), Rate: loopbackRate}))
			}
			_, work := workRun(b, e, fmt.Sprintf("loopback-%d", i), n, benchProviders, func(p string, i int) string { return ids[p][i] })
			bound := time.Duration(float64(n) / loopbackRate * float64(time.Second))
			b.ReportMetric(work.Seconds(), "work-s")
			b.ReportMetric(bound.Seconds(), "bound-s")
			b.ReportMetric(work.Seconds()/bound.Seconds(), "bound-ratio")
			b.ReportMetric(float64(n*len(benchProviders))/work.Seconds(), "jobs/s")
		}
	})
}
