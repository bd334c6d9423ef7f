package cheaders

import (
	goruntime "runtime"
	"testing"
)

// TestMacros checks the values of x86-64's headers (bpftrace 0.27.1,
// which runs clang over them, prints the same here).
func TestMacros(t *testing.T) {
	if goruntime.GOARCH != "amd64" {
		t.Skip("the values below are x86-64's; this machine is " + goruntime.GOARCH)
	}
	m := Macros()
	tests := []struct {
		macro string
		want  int64
	}{
		{"CLONE_THREAD", 0x10000},
		{"SIGKILL", 9},
		{"SIGUSR1", 10},
		{"SIGSYS", 31},
		{"SIGCLD", 17},
		{"__NR_openat", 257},
		{"SYS_read", 0},
		{"O_CREAT", 0o100},
		{"O_DIRECTORY", 0o200000},
		{"AT_FDCWD", -100},
		{"AF_INET6", 10},
		{"SOCK_STREAM", 1},
		{"IPPROTO_TCP", 6},
		{"PROT_EXEC", 4},
		{"MAP_ANONYMOUS", 0x20},
		{"S_IFDIR", 0o40000},
		{"SCHED_FIFO", 1},
		{"WNOHANG", 1},
		{"TASK_UNINTERRUPTIBLE", 2},
	}
	for _, tt := range tests {
		if v, ok := m[tt.macro]; !ok || v != tt.want {
			t.Errorf("%s = %d (present %v), want %d", tt.macro, v, ok, tt.want)
		}
	}
	for name := range m {
		if name == "" || name == "SIG" || name == "__NR_" || name == "SYS_" {
			t.Errorf("a macro named %q", name)
		}
	}
}
