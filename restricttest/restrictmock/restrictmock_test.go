package restrictmock_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/restricttest/restrictmock"
)

func TestRestrictAndLift(t *testing.T) {
	t.Parallel()
	m := new(restrictmock.Restrictor)
	m.On("Restrict", mock.Anything, restrict.Target{ID: "c1"}).Return(&restrict.Result{TargetID: "c1"}, nil).Once()
	m.On("Lift", mock.Anything, restrict.Target{ID: "c1"}).Return(nil, restrict.ErrUnsupported).Once()
	res, err := m.Restrict(context.Background(), restrict.Target{ID: "c1"})
	require.NoError(t, err)
	require.Equal(t, "c1", res.TargetID)
	res, err = m.Lift(context.Background(), restrict.Target{ID: "c1"})
	require.Nil(t, res)
	require.True(t, errors.Is(err, restrict.ErrUnsupported))
	m.AssertExpectations(t)
}

func TestStatus(t *testing.T) {
	t.Parallel()
	m := new(restrictmock.Restrictor)
	m.On("Status", mock.Anything, restrict.Target{ID: "c1"}).Return(&restrict.Result{State: restrict.StateRestricted}, nil)
	res, err := m.Status(context.Background(), restrict.Target{ID: "c1"})
	require.NoError(t, err)
	require.Equal(t, restrict.StateRestricted, res.State)
	m.AssertExpectations(t)
}

// stopCustomer is the consumer's code under test: it restricts a customer
// at every provider and says whether anything failed.
func stopCustomer(ctx context.Context, providers map[string]restrict.Restrictor, ids map[string]string) error {
	var bindings []restrict.Binding
	for _, name := range []string{"cryptomus", "purse"} {
		bindings = append(bindings, restrict.Binding{Name: name, Restrictor: providers[name], Target: restrict.Target{ID: ids[name], Reason: "sanctions hit"}})
	}
	return restrict.RestrictAll(ctx, bindings...).Err()
}

// printT stands in for *testing.T so the example runs as documentation; in
// a real test pass t.
type printT struct{}

func (printT) Logf(format string, args ...any)   { fmt.Printf(format+"\n", args...) }
func (printT) Errorf(format string, args ...any) { fmt.Printf("FAIL: "+format+"\n", args...) }
func (printT) FailNow()                          {}

// A consumer's test written with the mock: exact expectations, checked at
// the end.
func ExampleRestrictor() {
	var t printT // in a test: the *testing.T
	crypto, purse := new(restrictmock.Restrictor), new(restrictmock.Restrictor)
	crypto.On("Restrict", mock.Anything, restrict.Target{ID: "order-17", Reason: "sanctions hit"}).
		Return(&restrict.Result{Provider: "cryptomus", State: restrict.StateRestricted}, nil).Once()
	purse.On("Restrict", mock.Anything, restrict.Target{ID: "cust-9", Reason: "sanctions hit"}).
		Return(&restrict.Result{Provider: "purse", State: restrict.StateRestricted}, nil).Once()

	err := stopCustomer(context.Background(),
		map[string]restrict.Restrictor{"cryptomus": crypto, "purse": purse},
		map[string]string{"cryptomus": "order-17", "purse": "cust-9"})

	fmt.Println("error:", err)
	fmt.Println("expectations met:", crypto.AssertExpectations(t) && purse.AssertExpectations(t))
	// Output:
	// error: <nil>
	// expectations met: true
}
