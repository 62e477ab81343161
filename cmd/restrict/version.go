package main

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// versionText is the module's version, the commit it was built from and
// the Go version, from the build information Go records in the binary.
func versionText() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "restrict (no build information)"
	}
	version := info.Main.Version
	if version == "" {
		version = "(devel)"
	}
	commit, modified := "", false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			commit = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	text := "restrict " + version
	if commit != "" {
		text += ", commit " + commit[:min(len(commit), 12)]
		if modified {
			text += " (modified)"
		}
	}
	return text + ", " + info.GoVersion
}

func (a *app) versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, the commit and the Go version of this build",
		Args:  cobra.NoArgs,
		RunE: a.runE(func(*cobra.Command) error {
			_, err := fmt.Fprintln(a.stdout, versionText())
			return err
		}),
	}
}
