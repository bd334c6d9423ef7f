package probe

import (
	"runtime"
	"strings"

	"github.com/gbt-dev/gbt/internal/syscalls"
)

// A SyscallPoint is a tracepoint of one system call (syscalls:sys_enter_NAME
// or syscalls:sys_exit_NAME) as the raw tracepoint every system call
// passes (sys_enter, sys_exit) sees it: the call's number.
type SyscallPoint struct {
	Nr   int
	Exit bool
	// All says the point is raw_syscalls:sys_enter or sys_exit, the
	// tracepoint of every call (Nr is then -1).
	All bool
}

// tracepointCalls are the system calls whose tracepoints x86-64 names
// after the kernel function that implements them (the entry points of
// its arch/x86/entry/syscalls/syscall_64.tbl) rather than after the
// call: stat's are sys_enter_newstat and sys_exit_newstat.
var tracepointCalls = map[string]string{
	"newstat": "stat", "newfstat": "fstat", "newlstat": "lstat", "newuname": "uname",
	"sendfile64": "sendfile", "umount": "umount2",
}

// newerCalls are x86-64 system calls younger than the table of
// internal/syscalls (bpftrace's, for syscall_name()), by number.
var newerCalls = map[string]int{"uprobe": 336, "listns": 470, "rseq_slice_yield": 471}

// Syscall returns the system call pt is a tracepoint of, where gbt knows
// its number: on x86-64, whose pt_regs gbt reads.
func Syscall(pt Point) (SyscallPoint, bool) {
	if runtime.GOARCH != "amd64" || pt.Kind == nil || pt.Kind.Attach != AttachTracepoint {
		return SyscallPoint{}, false
	}
	if pt.Category == "raw_syscalls" && (pt.Event == "sys_enter" || pt.Event == "sys_exit") {
		return SyscallPoint{Nr: -1, Exit: pt.Event == "sys_exit", All: true}, true
	}
	if pt.Category != "syscalls" {
		return SyscallPoint{}, false
	}
	name, exit := strings.CutPrefix(pt.Event, "sys_exit_")
	if !exit {
		var ok bool
		if name, ok = strings.CutPrefix(pt.Event, "sys_enter_"); !ok {
			return SyscallPoint{}, false
		}
	}
	if call, ok := tracepointCalls[name]; ok {
		name = call
	} else {
		for _, call := range tracepointCalls {
			if call == name {
				return SyscallPoint{}, false // an older call of the name (stat), which x86-64 has not
			}
		}
	}
	nr, ok := syscalls.Number(name)
	if !ok {
		nr, ok = newerCalls[name]
	}
	return SyscallPoint{Nr: nr, Exit: exit}, ok
}
