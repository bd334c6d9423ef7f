package main

import (
	"strings"
	"testing"

	"github.com/gbt-dev/gbt/lang/probe/probetest"
)

// TestListKernelFuncs: -l lists kprobes and kretprobes of the traceable
// functions (probetest's canned available_filter_functions) as bpftrace
// names them.
func TestListKernelFuncs(t *testing.T) {
	tests := []struct{ pattern, want string }{
		{"kprobe:do_sys_open*", "kprobe:do_sys_open\nkprobe:do_sys_openat2\n"},
		{"kretprobe:vfs_{read,write}", "kretprobe:vfs_read\nkretprobe:vfs_write\n"},
		{"k*:p9_*", "kprobe:p9_client_create\nkretprobe:p9_client_create\n"},
		{"*vfs_open", "kprobe:vfs_open\nkretprobe:vfs_open\n"},
		{"tracepoint:*", ""},
		{"kprobe:nosuch", ""},
	}
	for _, tt := range tests {
		var b strings.Builder
		if err := listKernelFuncs(&b, probetest.New(), tt.pattern); err != nil {
			t.Errorf("%s: %v", tt.pattern, err)
		}
		if b.String() != tt.want {
			t.Errorf("%s: got\n%s\nwant\n%s", tt.pattern, b.String(), tt.want)
		}
	}
}
