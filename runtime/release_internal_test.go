package runtime

import (
	"encoding/binary"
	"fmt"
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/gbt-dev/gbt/internal/testenv"
	"github.com/gbt-dev/gbt/runtime/kernel"
)

// TestMain lets the test binary serve as its own release helper, as gbt
// does (cmd/gbt's main).
func TestMain(m *testing.M) {
	if ServeRelease() {
		return
	}
	os.Exit(m.Run())
}

// TestHandOffKernel hands tracepoint perf events to a helper: the helper
// holds every one of them once gbt's copies are closed, and exits cleanly
// once released.
func TestHandOffKernel(t *testing.T) {
	testenv.RequireRoot(t)
	env := kernel.NewEnv()
	var fds []int
	defer func() { closeAll(fds, closeFD) }()
	for _, ev := range []string{"getpid", "getppid", "getuid", "getgid", "geteuid", "getegid", "gettid", "sched_yield", "getpgrp", "getsid"} {
		id, err := env.TracepointID("syscalls", "sys_enter_"+ev)
		if err != nil {
			t.Fatal(err)
		}
		attr := unix.PerfEventAttr{Type: unix.PERF_TYPE_TRACEPOINT, Config: id, Size: uint32(binary.Size(unix.PerfEventAttr{})), Sample: 1}
		fd, err := unix.PerfEventOpen(&attr, -1, 0, -1, unix.PERF_FLAG_FD_CLOEXEC)
		if err != nil {
			t.Fatalf("perf_event_open syscalls:sys_enter_%s: %v", ev, err)
		}
		fds = append(fds, fd)
	}
	cmd, release, err := handOff(os.Args[0], fds)
	if err != nil {
		t.Fatal(err)
	}
	closeAll(fds, closeFD)
	fds = nil
	held, err := perfEventFDs(cmd.Process.Pid)
	release()
	if err != nil {
		t.Fatal(err)
	}
	if held != 10 {
		t.Errorf("the helper holds %d perf events, want 10", held)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("helper: %v", err)
	}
}

// perfEventFDs counts the perf event files process pid has open.
func perfEventFDs(pid int) (int, error) {
	dir := fmt.Sprintf("/proc/%d/fd", pid)
	ents, err := os.ReadDir(dir)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range ents {
		if target, err := os.Readlink(dir + "/" + e.Name()); err == nil && strings.Contains(target, "perf_event") {
			n++
		}
	}
	return n, nil
}

// TestHandOffBadHelper leaves the fds open when the helper cannot start.
func TestHandOffBadHelper(t *testing.T) {
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	defer closeAll(p[:], closeFD)
	if err := releaseInBackground("/nonexistent/gbt", p[:], true); err == nil {
		t.Fatal("releaseInBackground with a missing helper: no error")
	}
	for _, fd := range p {
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err != nil {
			t.Errorf("fd %d: %v, want it still open", fd, err)
		}
	}
}
