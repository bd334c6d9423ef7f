// Package testenv decides whether a test that needs privileges or an
// external tool may run here, and says why when it may not.
//
// A privileged test loads or attaches BPF programs, reads or mounts tracefs,
// or does anything else that needs root. It calls RequireRoot first, which
// skips it, with a one-line reason, under go test -short or when the
// process is not root.
//
// Setting GBT_REQUIRE_PRIVILEGED=1 (CI does) turns the skips for a missing
// privilege or tool into failures, so that a run meant to cover the kernel
// cannot pass by skipping it. -short is an explicit request for the quick
// tests and keeps skipping even then.
package testenv

import (
	"os"
	"os/exec"
	"testing"
)

// EnvRequire is the environment variable that turns skips into failures.
const EnvRequire = "GBT_REQUIRE_PRIVILEGED"

// Required reports whether GBT_REQUIRE_PRIVILEGED=1 asks that privileged
// tests run rather than skip.
func Required() bool { return os.Getenv(EnvRequire) == "1" }

// RequireRoot skips a privileged test under -short, and when the process is
// not root (a failure with GBT_REQUIRE_PRIVILEGED=1).
func RequireRoot(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("privileged test: skipped in -short mode")
	}
	if os.Geteuid() != 0 {
		missing(t, "privileged test: needs root to load BPF programs and read tracefs (run as root)")
	}
}

// RequireCommand returns the path of an external program a test needs; it
// skips the test when the program is not installed (a failure with
// GBT_REQUIRE_PRIVILEGED=1). hint says how to install it.
func RequireCommand(t testing.TB, name, hint string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		missing(t, name+" is not installed ("+hint+")")
	}
	return path
}

func missing(t testing.TB, why string) {
	t.Helper()
	if Required() {
		t.Fatal(why + "; " + EnvRequire + "=1 makes this a failure")
	}
	t.Skip(why)
}
