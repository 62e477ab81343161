package restricttest

import (
	"context"

	"github.com/stretchr/testify/mock"

	"github.com/restrictkit/restrict"
)

// Mock is a testify mock of restrict.Restrictor, for tests that assert
// exactly which calls code makes:
//
//	m := new(restricttest.Mock)
//	m.On("Restrict", mock.Anything, restrict.Target{ID: "c1"}).Return(&restrict.Result{State: restrict.StateRestricted}, nil)
//	... code under test ...
//	m.AssertExpectations(t)
type Mock struct {
	mock.Mock
}

var (
	_ restrict.Restrictor = (*Mock)(nil)
	_ restrict.Checker    = (*Mock)(nil)
)

// Restrict records the call and returns what On(...).Return(result, err)
// set up.
func (m *Mock) Restrict(ctx context.Context, t restrict.Target) (*restrict.Result, error) {
	return results(m.Called(ctx, t))
}

// Lift records the call and returns what On(...).Return(result, err) set
// up.
func (m *Mock) Lift(ctx context.Context, t restrict.Target) (*restrict.Result, error) {
	return results(m.Called(ctx, t))
}

// Status records the call and returns what On(...).Return(result, err)
// set up.
func (m *Mock) Status(ctx context.Context, t restrict.Target) (*restrict.Result, error) {
	return results(m.Called(ctx, t))
}

func results(args mock.Arguments) (*restrict.Result, error) {
	res, _ := args.Get(0).(*restrict.Result)
	return res, args.Error(1)
}
