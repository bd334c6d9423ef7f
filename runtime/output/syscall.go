package output

import "github.com/gbt-dev/gbt/internal/syscalls"

// appendSyscallName appends syscall_name(nr)'s text: the system call's
// name, or "Unknown syscall" for a number without one, as bpftrace's
// table gives them.
func appendSyscallName(dst []byte, nr int64) []byte {
	if name, ok := syscalls.Name(nr); ok {
		return append(dst, name...)
	}
	return append(dst, "Unknown syscall"...)
}
