package testenv

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestRequireRoot runs this package's test binary again in a child process
// with each combination of -short and GBT_REQUIRE_PRIVILEGED, and checks
// whether RequireRoot skipped, failed or let the test run.
func TestRequireRoot(t *testing.T) {
	if os.Getenv("TESTENV_CHILD") == "1" {
		RequireRoot(t)
		t.Log("RAN")
		return
	}
	root := os.Geteuid() == 0
	for _, tt := range []struct {
		short, require bool
		want           string
	}{
		{short: true, require: false, want: "SKIP"},
		{short: true, require: true, want: "SKIP"},
		{short: false, require: false, want: map[bool]string{true: "RAN", false: "SKIP"}[root]},
		{short: false, require: true, want: map[bool]string{true: "RAN", false: "FAIL"}[root]},
	} {
		args := []string{"-test.run=^TestRequireRoot$", "-test.v"}
		if tt.short {
			args = append(args, "-test.short")
		}
		cmd := exec.Command(os.Args[0], args...)
		cmd.Env = append(os.Environ(), "TESTENV_CHILD=1", EnvRequire+"=")
		if tt.require {
			cmd.Env = append(cmd.Env, EnvRequire+"=1")
		}
		out, _ := cmd.CombinedOutput()
		got := "RAN"
		switch {
		case strings.Contains(string(out), "--- SKIP"):
			got = "SKIP"
		case strings.Contains(string(out), "--- FAIL"):
			got = "FAIL"
		case !strings.Contains(string(out), "RAN"):
			got = "?"
		}
		if got != tt.want {
			t.Errorf("short=%v %s=%v: %s, want %s\n%s", tt.short, EnvRequire, tt.require, got, tt.want, out)
		}
	}
}

func TestRequireCommand(t *testing.T) {
	if p := RequireCommand(t, "sh", "any POSIX system has it"); p == "" {
		t.Error("no path for sh")
	}
}
