// Package restrictmock is a testify mock of the contract, for tests that
// assert exactly which calls code makes. It lives apart from restricttest
// so that a program importing restricttest (or a provider's fake) does not
// link testify.
package restrictmock

import (
	"context"

	"github.com/stretchr/testify/mock"

	"github.com/restrictkit/restrict"
)

// Restrictor is a testify mock of restrict.Restrictor and restrict.Checker:
//
//	m := new(restrictmock.Restrictor)
//	m.On("Restrict", mock.Anything, restrict.Target{ID: "c1"}).Return(&restrict.Result{State: restrict.StateRestricted}, nil)
//	... code under test ...
//	m.AssertExpectations(t)
type Restrictor struct {
	mock.Mock
}

var (
	_ restrict.Restrictor = (*Restrictor)(nil)
	_ restrict.Checker    = (*Restrictor)(nil)
)

// Restrict records the call and returns what On(...).Return(result, err)
// set up.
func (m *Restrictor) Restrict(ctx context.Context, t restrict.Target) (*restrict.Result, error) {
	return results(m.Called(ctx, t))
}

// Lift records the call and returns what On(...).Return(result, err) set
// up.
func (m *Restrictor) Lift(ctx context.Context, t restrict.Target) (*restrict.Result, error) {
	return results(m.Called(ctx, t))
}

// Status records the call and returns what On(...).Return(result, err)
// set up.
func (m *Restrictor) Status(ctx context.Context, t restrict.Target) (*restrict.Result, error) {
	return results(m.Called(ctx, t))
}

func results(args mock.Arguments) (*restrict.Result, error) {
	res, _ := args.Get(0).(*restrict.Result)
	return res, args.Error(1)
}
