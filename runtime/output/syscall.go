package output

import goruntime "runtime"

// syscallNames is the system call table of the machine gbt runs on, whose
// kernel it traces; empty on others, where every number is unknown, as in
// bpftrace.
var syscallNames = func() []string {
	switch goruntime.GOARCH {
	case "amd64":
		return syscallNamesAMD64[:]
	case "arm64":
		return syscallNamesARM64[:]
	}
	return nil
}()

// appendSyscallName appends syscall_name(nr)'s text: the system call's
// name, or "Unknown syscall" for a number without one, as bpftrace's
// table gives them.
func appendSyscallName(dst []byte, nr int64) []byte {
	if nr >= 0 && nr < int64(len(syscallNames)) && syscallNames[nr] != "" {
		return append(dst, syscallNames[nr]...)
	}
	return append(dst, "Unknown syscall"...)
}
