package console

// This file is a placeholder of the skeleton: the security helper
// replaces it (tokens, sessions, login, CSRF, the wrappers, headers).

import (
	"net/http"
	"time"

	"github.com/restrictkit/restrict"
)

// Role is what a token may do.
type Role string

// The two roles.
const (
	RoleViewer   Role = "viewer"
	RoleOperator Role = "operator"
)

// Token is one who may sign in.
type Token struct {
	Name   string
	Role   Role
	Secret restrict.Secret
}

// principal is who a request is from.
type principal struct {
	Name string
	Role Role
	// CSRF is the session's token; empty for a bearer token.
	CSRF string
}

// CanOperate says whether p may submit runs and change limits.
func (p *principal) CanOperate() bool { return p != nil && p.Role == RoleOperator }

type authState struct{}

func newAuthState(tokens []Token, now func() time.Time) (*authState, error) {
	return &authState{}, nil
}

func (s *Server) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { rt.handle(w, r, nil) })
}

func (s *Server) secure(next http.Handler) http.Handler { return next }

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request, _ *principal) {}
func (s *Server) login(w http.ResponseWriter, r *http.Request, _ *principal)     {}
func (s *Server) logout(w http.ResponseWriter, r *http.Request, _ *principal)    {}
