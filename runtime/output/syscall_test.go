package output

import (
	goruntime "runtime"
	"testing"
)

// TestSyscallName: the names of the newest bpftrace's syscall_name(), from
// its table for the machine's architecture.
func TestSyscallName(t *testing.T) {
	want := map[int64]string{-1: "Unknown syscall", 1023: "Unknown syscall", 1 << 40: "Unknown syscall"}
	switch goruntime.GOARCH {
	case "amd64":
		want[0], want[1], want[59], want[335], want[547] = "read", "write", "execve", "uretprobe", "pwritev2"
		want[336] = "Unknown syscall" // no call has that number
	case "arm64":
		want[0], want[63], want[221], want[469] = "io_setup", "read", "execve", "file_setattr"
	}
	for nr, w := range want {
		if got := string(appendSyscallName(nil, nr)); got != w {
			t.Errorf("%d: got %q, want %q", nr, got, w)
		}
	}
}
