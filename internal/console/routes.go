package console

import "net/http"

// access is who may use a route.
type access int

const (
	public   access = iota // anyone: the login page, static files, probes
	viewer                 // a viewer or an operator
	operator               // an operator only
	signed                 // a provider, by its webhook's signature
)

// kind is how a route is reached, which decides how it authenticates and
// how it refuses.
type kind int

const (
	// page is a browser page: a session cookie (or a bearer token); a
	// visitor without one is sent to the login page.
	page kind = iota
	// form is a page's POST: as page, with the session's CSRF token in
	// the form.
	form
	// api is /api/v1: a bearer token; refusals are problem documents.
	api
	// webhook is a provider's POST, verified by its signature.
	webhook
	// plain is what needs no session: static files and probes.
	plain
	// mounted is another program's UI and API under a prefix (River's):
	// as page for every method, and a request that changes something
	// must come from this server's own pages (its Origin), since that
	// program's forms carry no CSRF token of ours.
	mounted
)

// handlerFunc serves a request on behalf of p (nil on public and signed
// routes).
type handlerFunc func(w http.ResponseWriter, r *http.Request, p *principal)

// route is one endpoint of the server. The table is data so that the
// role tests and the OpenAPI check go over every endpoint.
type route struct {
	method  string
	pattern string
	access  access
	kind    kind
	handle  handlerFunc
}

// routeTable is every endpoint the server has.
func (s *Server) routeTable() []route {
	return []route{
		{"GET", "/{$}", viewer, page, s.home},
		{"GET", "/login", public, plain, s.loginPage},
		{"POST", "/login", public, plain, s.login},
		{"POST", "/logout", viewer, form, s.logout},
		{"GET", "/static/{file}", public, plain, s.static},
		{"GET", "/healthz", public, plain, s.healthz},
		{"GET", "/readyz", public, plain, s.readyz},
		{"GET", "/metrics", viewer, api, s.metrics},

		{"GET", "/runs", viewer, page, s.runsPage},
		{"GET", "/runs/new", operator, page, s.newRunPage},
		{"POST", "/runs/new", operator, form, s.newRunCheck},
		{"POST", "/runs/new/confirm", operator, form, s.newRunConfirm},
		{"GET", "/runs/{name}", viewer, page, s.runPage},
		{"GET", "/runs/{name}/events", viewer, page, s.runEvents},
		{"GET", "/runs/{name}/outcomes.csv", viewer, page, s.outcomesCSV},
		{"GET", "/runs/{name}/outcomes.json", viewer, page, s.outcomesJSON},
		{"GET", "/runs/{name}/report", viewer, page, s.reportPage},
		{"GET", "/subjects/{key}", viewer, page, s.subjectPage},
		{"GET", "/limits", viewer, page, s.limitsPage},
		{"POST", "/limits", operator, form, s.limitsSet},
		{"", "/river/", operator, mounted, s.river},

		{"GET", "/api/v1/openapi.json", viewer, api, s.apiOpenAPI},
		{"POST", "/api/v1/runs", operator, api, s.apiCreateRun},
		{"GET", "/api/v1/runs", viewer, api, s.apiRuns},
		{"GET", "/api/v1/runs/{name}", viewer, api, s.apiRun},
		{"GET", "/api/v1/runs/{name}/outcomes", viewer, api, s.apiOutcomes},
		{"GET", "/api/v1/subjects/{key}", viewer, api, s.apiSubject},
		{"GET", "/api/v1/limits", viewer, api, s.apiLimits},
		{"PUT", "/api/v1/limits/{provider}", operator, api, s.apiSetLimit},

		{"POST", "/webhooks/cryptomus", signed, webhook, s.webhook("cryptomus")},
		{"POST", "/webhooks/calypso", signed, webhook, s.webhook("calypso")},
	}
}
