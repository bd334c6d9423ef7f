//go:build vmtest

package vmtest_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gbt-dev/gbt/internal/vmtest"
)

// TestHostReport runs TestKernels' cases on this machine's own kernel, for
// the README's table beside the guests' (GBT_VMTEST_REPORT names the
// file; without it the test skips): what works here and what is refused,
// with the reason each tool gives.
func TestHostReport(t *testing.T) {
	if os.Getenv("GBT_VMTEST_REPORT") == "" {
		t.Skip("GBT_VMTEST_REPORT is not set: nothing to report")
	}
	g := newGuestSetup(t, "test-kernels")
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		t.Fatal(err)
	}
	release := unix.ByteSliceToString(u.Release[:])
	for _, c := range selectedCases(t) {
		r := runHost(append([]string{g.gbt}, c.args...))
		var b vmtest.Result
		if c.bpftrace {
			b = runHost(append([]string{g.bpftrace}, c.args...))
		}
		report(t, "host", release, c, r, b, c.bpftrace)
	}
}

// runHost runs a command here as the guest runs a job.
func runHost(argv []string) vmtest.Result {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	t0 := time.Now()
	err := cmd.Run()
	r := vmtest.Result{Stdout: stdout.String(), Stderr: stderr.String(), Elapsed: time.Since(t0), TimedOut: ctx.Err() != nil}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.ExitCode = ee.ExitCode()
	default:
		r.ExitCode, r.Error = -1, err.Error()
	}
	return r
}
