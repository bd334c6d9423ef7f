package kernel

import (
	"slices"
	"testing"
)

// TestParseFilterFunctions: available_filter_functions as kprobe and
// fentry listings use it, less what bpftrace leaves out.
func TestParseFilterFunctions(t *testing.T) {
	text := "vfs_read\ndo_sys_open\n__ftrace_invalid_address___64\np9_client_create [9pnet]\nvfs_read\n\n  \n" +
		"rcu_note_context_switch\ndefault_idle\nfoo.part.0\nbar.isra.0\n"
	got := parseFilterFunctions([]byte(text))
	want := []string{"9pnet:p9_client_create", "vmlinux:bar.isra.0", "vmlinux:do_sys_open", "vmlinux:vfs_read"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}
