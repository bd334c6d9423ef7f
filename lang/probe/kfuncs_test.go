package probe_test

import (
	"slices"
	"testing"

	"github.com/gbt-dev/gbt/lang/probe"
)

func TestParseFilterFunctions(t *testing.T) {
	text := "vfs_read\ndo_sys_open\n__ftrace_invalid_address___64\np9_client_create [9pnet]\nvfs_read\n\n  \n" +
		"rcu_note_context_switch\ndefault_idle\nfoo.part.0\nbar.isra.0\n"
	got := probe.ParseFilterFunctions(text)
	want := []string{"bar.isra.0", "do_sys_open", "p9_client_create", "vfs_read"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}
