package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/joho/godotenv"
)

// envFileWait is how long a missing or empty --env-file is waited for:
// "restrict fakes > fakes.env &" writes it a moment after it starts.
const envFileWait = 60 * time.Second

func (a *app) readEnvFile(ctx context.Context, path string) (map[string]string, error) {
	deadline := time.Now().Add(envFileWait)
	told := false
	for {
		info, err := os.Stat(path)
		if err == nil && info.Size() > 0 {
			break
		}
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, usagef("--env-file: %v", err)
		}
		if time.Now().After(deadline) {
			return nil, usagef("--env-file %s is missing or empty", path)
		}
		if !told {
			fmt.Fprintf(a.stderr, "restrict: waiting for %s to be written (is \"restrict fakes\" still starting?)\n", path)
			told = true
		}
		select {
		case <-ctx.Done():
			return nil, context.Cause(ctx)
		case <-time.After(100 * time.Millisecond):
		}
	}
	vals, err := godotenv.Read(path)
	if err != nil {
		// godotenv's errors quote the offending line, which may hold a
		// credential: say where, not what.
		return nil, usagef("--env-file %s: not a dotenv file (KEY=value lines)", path)
	}
	return vals, nil
}

// env reads a setting: the environment first, then the dotenv file.
func (a *app) env(key string) string {
	if v := a.getenv(key); strings.TrimSpace(v) != "" {
		return v
	}
	return a.dotenv[key]
}

// dsn is the database: --db, RESTRICT_DB, or SQLite in the current
// directory. --db wins, as a flag given now should.
func (a *app) dsn(flag string) string {
	switch {
	case flag != "":
		return flag
	case a.env("RESTRICT_DB") != "":
		return a.env("RESTRICT_DB")
	}
	return "file:restrict.db"
}
