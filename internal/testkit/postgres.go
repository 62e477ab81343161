package testkit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// PostgresURL returns the test database's URL from
// RESTRICT_TEST_DATABASE_URL, or skips the test when it is unset, saying
// how to run it. CI always sets it.
func PostgresURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("RESTRICT_TEST_DATABASE_URL")
	if u == "" {
		t.Skip("Postgres test skipped: set RESTRICT_TEST_DATABASE_URL to run it, e.g. " +
			"RESTRICT_TEST_DATABASE_URL='postgres://postgres@127.0.0.1:5432/test?sslmode=disable' go test ./... (bash .ci/run does)")
	}
	return u
}

// PostgresSchema creates a schema of the test's own, named prefix and a
// random suffix, dropped when the test ends, so that Postgres tests run in
// parallel and can be run again. A set URL that cannot be reached fails
// the test: CI must not pass by skipping.
func PostgresSchema(t testing.TB, prefix string) (url, schema string) {
	t.Helper()
	url = PostgresURL(t)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema = prefix + hex.EncodeToString(b)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("RESTRICT_TEST_DATABASE_URL is set but Postgres cannot be reached: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("creating schema %s: %v", schema, err)
	}
	t.Cleanup(func() {
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Errorf("dropping schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("dropping schema %s: %v", schema, err)
		}
	})
	return url, schema
}

// WithSearchPath is url with its search_path set to schema, for a client
// (the command) that takes only a DSN.
func WithSearchPath(url, schema string) string {
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	return url + sep + "search_path=" + schema
}
