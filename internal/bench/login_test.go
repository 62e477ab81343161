package bench

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/customerv2"
	"github.com/restrictkit/restrict/customerv2/customerv2test"
	"github.com/restrictkit/restrict/walletplatform"
	"github.com/restrictkit/restrict/walletplatform/walletplatformtest"
)

const concurrentCalls = 100

// restrictAll calls Restrict once per ID, all at once: every goroutine is
// started and waiting before any is let go, so the first calls find no
// token and race to log in.
func restrictAll(t *testing.T, c restrict.Restrictor, ids []string) {
	t.Helper()
	start := make(chan struct{})
	errs := make(chan error, len(ids))
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Add(1)
		go func(id string) {
			defer wg.Done()
			<-start
			res, err := c.Restrict(context.Background(), restrict.Target{ID: id})
			if err == nil && res.State != restrict.StateRestricted {
				err = fmt.Errorf("%s: state %v", id, res.State)
			}
			errs <- err
		}(id)
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}

// TestConcurrentCallsShareOneLoginCustomerV2: 100 concurrent Restrict calls on a new
// customerv2 client in login mode make one login between them.
func TestConcurrentCallsShareOneLoginCustomerV2(t *testing.T) {
	t.Parallel()
	creds := customerv2.Credentials{MerchantID: customerv2test.MerchantID, Email: customerv2test.Email, Password: customerv2test.Password}
	fake := customerv2test.NewServer(creds)
	defer fake.Close()
	ids := make([]string, concurrentCalls)
	for i := range ids {
		ids[i] = fake.AddCustomer(customerv2.Customer{Email: fmt.Sprintf("c%d@example.com", i)}).ID
	}
	c, err := customerv2.New(creds, restrict.WithBaseURL(fake.BaseURL()))
	require.NoError(t, err)

	restrictAll(t, c, ids)
	require.Equal(t, 1, fake.Logins(), "logins for %d concurrent calls", concurrentCalls)
	for _, id := range ids {
		cust, ok := fake.Customer(id)
		require.True(t, ok)
		require.True(t, cust.Suspended(), id)
	}
}

// TestConcurrentCallsShareOneLoginWalletPlatform: the same for a
// walletplatform client logging in with Username and PassID.
func TestConcurrentCallsShareOneLoginWalletPlatform(t *testing.T) {
	t.Parallel()
	creds := walletplatform.Credentials{APIKey: walletplatformtest.APIKey, Username: walletplatformtest.Username, PassID: walletplatformtest.PassID}
	fake := walletplatformtest.NewServer(creds)
	defer fake.Close()
	ids := make([]string, concurrentCalls)
	for i := range ids {
		ids[i] = fmt.Sprintf("7d9f0c2e-0000-4000-8000-%012d", i)
	}
	fake.AddAccount(ids...)
	c, err := walletplatform.New(creds, restrict.WithBaseURL(fake.BaseURL()))
	require.NoError(t, err)

	restrictAll(t, c, ids)
	require.Equal(t, 1, fake.Logins(), "logins for %d concurrent calls", concurrentCalls)
	for _, id := range ids {
		acc, ok := fake.Account(id)
		require.True(t, ok)
		require.True(t, acc.Frozen(), id)
	}
}
