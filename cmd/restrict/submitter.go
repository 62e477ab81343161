package main

import (
	"os"
	"os/user"
)

// submitter names who submits a run from the command, for the run's
// record: the operating system's user at this host ("ada@ops-1"), as a
// console run records its token's name.
func submitter() string {
	name := os.Getenv("USER")
	if u, err := user.Current(); err == nil && u.Username != "" {
		name = u.Username
	}
	if name == "" {
		name = "unknown"
	}
	if host, err := os.Hostname(); err == nil && host != "" {
		name += "@" + host
	}
	return name
}
