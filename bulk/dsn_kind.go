package bulk

// IsPostgresDSN reports whether Open takes dsn for a Postgres database
// (anything else is SQLite), for programs that open their own connection
// beside the engine's.
func IsPostgresDSN(dsn string) bool { return isPostgresDSN(dsn) }
