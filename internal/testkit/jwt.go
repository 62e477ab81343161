package testkit

import (
	"encoding/base64"
	"encoding/json"
	"time"
)

// JWT is a JWT-shaped token as a provider's login issues one, expiring at
// exp, with id as its jti claim so that two tokens differ. Its signature is
// not real: clients read exp and never verify.
func JWT(exp time.Time, id string) string {
	claims, _ := json.Marshal(map[string]any{"exp": exp.Unix(), "jti": id}) // a map of a number and a string always marshals
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc(claims) + ".c2lnbmF0dXJl"
}
