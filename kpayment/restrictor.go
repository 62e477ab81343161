package kpayment

import (
	"context"
	"errors"
	"log/slog"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/config"
	"github.com/restrictkit/restrict/internal/transport"
)

// defaultRestrictRequest is what Restrict sends unless told otherwise:
// block online payment, and leave everything else to myKaarma.
func defaultRestrictRequest() BlockCustomerRequest {
	return BlockCustomerRequest{OnlinePayment: Bool(true)}
}

// WithRestrictRequest sets the body Restrict sends with BlockCustomer, for
// example to ask for a block notification or to name the invoice. A nil
// OnlinePayment is still sent as true, since blocking online payment is
// what Restrict is for; an explicit false is sent as false. The request is
// copied, and checked when New runs.
func WithRestrictRequest(req BlockCustomerRequest) restrict.Option {
	return config.Func(func(s *config.Settings) error {
		if req.CCLastFour != "" && !isLastFour(req.CCLastFour) {
			return errors.New("WithRestrictRequest: ccLastFour must be exactly four digits 0-9")
		}
		req = req.clone()
		if req.OnlinePayment == nil {
			req.OnlinePayment = Bool(true)
		}
		s.SetExtra(Provider, "WithRestrictRequest", req)
		return nil
	})
}

// Restrict blocks the customer t.ID (a myKaarma customer UUID) from online
// payment with BlockCustomer, sending the body set by WithRestrictRequest
// ({"onlinePayment":true} by default). myKaarma has no field for a reason,
// so t.Reason is only logged, at Debug level. Warnings on the answer are
// logged at Warn level; call BlockCustomer to receive them.
//
// https://docs.mykaarma.com/API_references/payments/API/API_reference/block-customer
func (c *Client) Restrict(ctx context.Context, t restrict.Target) (*restrict.Result, error) {
	if problem := transport.CheckPathSegment(t.ID); problem != "" {
		return nil, restrict.NewFieldError(Provider, "Restrict", "ID", problem)
	}
	c.tc.LogTarget(ctx, "Restrict", t)
	res, err := c.BlockCustomer(ctx, t.ID, c.restrictRequest.clone())
	if err != nil {
		return nil, err
	}
	for _, w := range res.Warnings {
		c.tc.Logger().LogAttrs(ctx, slog.LevelWarn, "restrict: warning on block",
			slog.String("provider", Provider), slog.String("target", t.ID), slog.String("code", w.Code),
			slog.String("title", w.Title), slog.String("message", w.Message), slog.String("description", w.Description))
	}
	return &restrict.Result{
		Provider: Provider,
		Action:   restrict.ActionBlock,
		TargetID: t.ID,
		State:    restrict.StateRestricted,
		Meta:     res.Meta,
	}, nil
}

// Lift always fails with an error matching restrict.ErrUnsupported and
// sends nothing: the myKaarma Payments API publishes no unblock endpoint.
//
// https://docs.mykaarma.com/API_references/payments/API/API_reference/block-customer
func (c *Client) Lift(_ context.Context, _ restrict.Target) (*restrict.Result, error) {
	return nil, &restrict.APIError{
		Provider:  Provider,
		Operation: "Lift",
		Class:     restrict.ErrUnsupported,
		Message:   "myKaarma Payments publishes no endpoint to unblock a customer",
	}
}
