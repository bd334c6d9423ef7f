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
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"sync/atomic"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
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

// RequireHardwareBreakpoints skips a test of watchpoints when this machine's
// CPU does not deliver hardware breakpoints: some hypervisors accept a
// breakpoint perf event but never fire it. It is a missing hardware
// feature, not a missing privilege, so it skips even with
// GBT_REQUIRE_PRIVILEGED=1; the reason names what was measured.
func RequireHardwareBreakpoints(t testing.TB) {
	t.Helper()
	RequireRoot(t)
	n, err := breakpointHits()
	switch {
	case err != nil:
		t.Skipf("hardware breakpoints unavailable here: %v", err)
	case n == 0:
		t.Skip("this machine's CPU does not deliver hardware breakpoints (a write breakpoint counted 0 of 4 writes)")
	}
}

// RequireBreakpointEvents skips a test that sets hardware breakpoints but
// needs none to fire (watchpoint set-up, running out of debug registers)
// when this machine cannot create breakpoint perf events at all: a
// missing hardware feature, as in RequireHardwareBreakpoints.
func RequireBreakpointEvents(t testing.TB) {
	t.Helper()
	RequireRoot(t)
	if _, err := breakpointHits(); err != nil {
		t.Skipf("hardware breakpoints unavailable here: %v", err)
	}
}

// watched is the variable breakpointHits watches.
var watched int64

// breakpointHits sets a write breakpoint on watched in this thread, writes
// it four times and returns how many writes the breakpoint counted.
func breakpointHits() (uint64, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	attr := unix.PerfEventAttr{
		Type:    unix.PERF_TYPE_BREAKPOINT,
		Size:    uint32(unsafe.Sizeof(unix.PerfEventAttr{})),
		Bp_type: 2, // HW_BREAKPOINT_W
		Ext1:    uint64(uintptr(unsafe.Pointer(&watched))),
		Ext2:    8,
		Bits:    unix.PerfBitExcludeKernel | unix.PerfBitExcludeHv,
	}
	fd, err := unix.PerfEventOpen(&attr, 0, -1, -1, unix.PERF_FLAG_FD_CLOEXEC)
	if err != nil {
		return 0, fmt.Errorf("perf_event_open(PERF_TYPE_BREAKPOINT): %w", err)
	}
	defer unix.Close(fd)
	for i := int64(1); i <= 4; i++ {
		atomic.StoreInt64(&watched, i)
	}
	var buf [8]byte
	if _, err := unix.Read(fd, buf[:]); err != nil {
		return 0, fmt.Errorf("read the breakpoint count: %w", err)
	}
	return binary.LittleEndian.Uint64(buf[:]), nil
}
