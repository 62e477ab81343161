// Package console is the server of "restrict serve": a web console for
// the compliance officers and auditors who must look at runs, an HTTP API
// (/api/v1) for backends that submit them, and the providers' webhooks,
// tied to the subjects they concern. It works over one bulk.Engine, the
// command's database, embedded SQLite by default or Postgres for a team.
//
// Every request is authenticated (a bearer token, or a session cookie a
// login gave for one; the providers' webhooks by their signature); only
// the login page, the static files and the health probes are open.
// Tokens have a role: a viewer reads, an operator also submits runs and
// changes limits.
package console
