package probe_test

import (
	"runtime"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/lang/probe/probetest"
)

// TestSyscallNumbers: every system call tracepoint of a canned x86-64
// kernel has a number, and the numbers are Go's (golang.org/x/sys/unix,
// from the kernel's headers) for calls whose tracepoints are named after
// them and after the function that implements them.
func TestSyscallNumbers(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("system call numbers of tracepoints are x86-64's only")
	}
	kind := probe.Lookup("tracepoint")
	events, err := probetest.New().Tracepoints()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ev := range events {
		event, ok := strings.CutPrefix(ev, "syscalls:")
		if !ok {
			continue
		}
		n++
		if _, ok := probe.Syscall(probe.Point{Kind: kind, Category: "syscalls", Event: event}); !ok {
			t.Errorf("syscalls:%s: no system call number", event)
		}
	}
	if n < 600 {
		t.Errorf("%d system call tracepoints in the canned list, want both directions of 300 or more", n)
	}
	for _, tt := range []struct {
		event string
		nr    int
		exit  bool
	}{
		{"sys_enter_openat", unix.SYS_OPENAT, false},
		{"sys_exit_read", unix.SYS_READ, true},
		{"sys_enter_newstat", unix.SYS_STAT, false},
		{"sys_enter_newfstatat", unix.SYS_NEWFSTATAT, false},
		{"sys_exit_newuname", unix.SYS_UNAME, true},
		{"sys_enter_sendfile64", unix.SYS_SENDFILE, false},
		{"sys_enter_umount", unix.SYS_UMOUNT2, false},
		{"sys_enter_execve", unix.SYS_EXECVE, false},
		{"sys_enter_uprobe", 336, false},
	} {
		got, ok := probe.Syscall(probe.Point{Kind: kind, Category: "syscalls", Event: tt.event})
		if !ok || got.Nr != tt.nr || got.Exit != tt.exit {
			t.Errorf("%s: %+v %v, want {Nr:%d Exit:%v}", tt.event, got, ok, tt.nr, tt.exit)
		}
	}
	for _, event := range []string{"sys_enter_stat", "sys_enter_nosuchcall", "sys_enter_", "block_rq_issue"} {
		if got, ok := probe.Syscall(probe.Point{Kind: kind, Category: "syscalls", Event: event}); ok {
			t.Errorf("%s: %+v, want none", event, got)
		}
	}
}
