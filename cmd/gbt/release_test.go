package main

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/gbt-dev/gbt/runtime"
)

// TestReleaseHelper: gbt started with runtime.ReleaseEnv set is another
// gbt's release helper (main calls runtime.ServeRelease first): it reads
// its stdin to the end and exits 0 without a word, whatever its
// arguments, and runs no script.
func TestReleaseHelper(t *testing.T) {
	gbt, _ := binaries(t)
	cmd := exec.Command(gbt, "-e", `BEGIN { printf("ran\n"); exit(); }`)
	cmd.Env = []string{runtime.ReleaseEnv + "=1"}
	cmd.Stdin = strings.NewReader("gbt closes this pipe once it has dropped its references\n")
	out, err := cmd.CombinedOutput()
	if err != nil || len(out) != 0 {
		t.Errorf("release helper: %v, output %q; want exit 0 and no output", err, out)
	}
}
