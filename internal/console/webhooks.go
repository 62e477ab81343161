package console

import (
	"errors"
	"io"
	"net/http"

	"github.com/restrictkit/restrict/bulk"
	"github.com/restrictkit/restrict/internal/fleet"
)

// FleetWebhooks are the webhook verifiers of the providers whose key
// getenv sets (RESTRICT_CRYPTOMUS_PAYMENT_KEY, RESTRICT_PURSE_WEBHOOK_KEY),
// by route, for Config.Webhooks.
func FleetWebhooks(getenv func(string) string) map[string]Webhook {
	out := make(map[string]Webhook)
	for route, verify := range fleet.Webhooks(getenv) {
		out[route] = func(body []byte, header http.Header) (bulk.WebhookEvent, error) {
			ev, err := verify(body, header)
			if err != nil {
				return bulk.WebhookEvent{}, err
			}
			return bulk.WebhookEvent{ID: ev.ID, Provider: ev.Provider, Type: ev.Type, Targets: ev.Targets,
				Amount: ev.Amount, Currency: ev.Currency, Status: ev.Status, Funds: ev.Funds}, nil
		}
	}
	return out
}

// webhook receives a provider's webhook on /webhooks/{route}: verified by
// its signature, then stored once by its ID. A provider retries until it
// gets a 2xx, so a replay answers 200 too, with stored false.
func (s *Server) webhook(route string) handlerFunc {
	// Calypso posts for the purse provider; a route of no provider the
	// fleet knows is named for its provider.
	provider := route
	if wr, ok := fleet.LookupWebhook(route); ok {
		provider = wr.Provider
	}
	return func(w http.ResponseWriter, r *http.Request, _ *principal) {
		verify := s.cfg.Webhooks[route]
		if verify == nil {
			writeProblem(w, http.StatusNotFound, "no-webhook", "No webhook is configured for this provider",
				"/webhooks/"+route+" needs its provider's webhook key in the server's environment")
			return
		}
		// wrap bounds the body at maxWebhookBody.
		body, err := io.ReadAll(r.Body)
		if err != nil {
			if errors.As(err, new(*http.MaxBytesError)) {
				writeProblem(w, http.StatusRequestEntityTooLarge, "body-too-large", "The webhook's body is too large", "a webhook's body is at most 1 MiB")
				return
			}
			writeProblem(w, http.StatusBadRequest, "invalid-body", "The webhook's body could not be read", "")
			return
		}
		ev, err := verify(body, r.Header)
		if err != nil {
			// The SDKs' errors name what failed, never the key, the
			// body or the signature.
			s.log.Warn("webhook refused", "provider", provider, "route", route, "reason", err.Error())
			writeProblem(w, http.StatusUnauthorized, "webhook-unverified", "The webhook could not be verified", "")
			return
		}
		ev.Provider, ev.ReceivedAt = provider, s.now().UTC()
		stored, err := s.cfg.Engine.RecordWebhookEvent(r.Context(), ev)
		if err != nil {
			s.log.Error("webhook not stored", "provider", provider, "route", route, "error", err.Error())
			writeProblem(w, http.StatusInternalServerError, "webhook-not-stored", "The webhook could not be stored", "the provider may send it again")
			return
		}
		s.log.Info("webhook received", "provider", provider, "type", ev.Type, "stored", stored, "funds", ev.Funds)
		writeJSON(w, http.StatusOK, struct {
			Stored bool `json:"stored"`
		}{stored})
	}
}
